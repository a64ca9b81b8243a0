"""Tools for operators and developers, apart from the hub they look after: dead letters
(``lapor-hub dlq``), per-agency broker access (``lapor-hub access``), the benchmark
(``make bench``) and fault injection (``make chaos``)."""
