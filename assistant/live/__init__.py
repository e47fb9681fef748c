"""The live room: danmaku in, grouped answers out, the host's teleprompter, demand figures.

    danmaku.py    one chat message as a platform connector sends it
    limits.py     per-viewer rate limits and repeat suppression
    grouping.py   many viewers, one question: grouping windows
    events.py     pushes to open pages (teleprompter, review) and connectors
    board.py      what the host sees: groups ranked by askers, alerts, live stock, demand
    routing.py    chat or host: the room's policy, late answers, a person already answered
    outbox.py     replies on their way to the chat (WebSocket and webhook, with retries)
    service.py    queues and workers that run the pipeline for every message
"""
