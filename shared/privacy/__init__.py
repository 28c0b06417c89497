"""Personal data in events, protected by crypto-shredding.

A field that identifies a person (a cadre's name, a policy number, a leave reason) is
written into an event as ``Sealed``: AES-256-GCM ciphertext under a data key of that one
person. The key lives only in the owning service's database (``privacy.data_keys``), so the
event log, the Kafka topics and every copy another bureau keeps hold ciphertext; the
owning service's API opens it for the roles allowed to read it. Destroying the key
(``xingcun privacy erase``) erases the person everywhere at once, while the events — and
the hash chain over them, every statistic and every replay — stay exactly as they were.

- ``sealed``: the ``Sealed`` value events carry and the erased marker (pure; the domain and
  the contracts import it);
- ``cipher``: sealing and opening with a key (the ``cryptography`` package);
- ``keys``: the key table — create, look up, destroy (asyncpg).
"""
