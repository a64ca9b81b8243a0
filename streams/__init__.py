"""LAPOR Hub: the event backbone of SP4N-LAPOR!.

One package per flow: ``intake``, ``routing``, ``lifecycle``, ``sla``, ``readmodel``; the
agency ``directory``; the local ``broker`` used for development and tests.
"""
