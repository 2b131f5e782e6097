"""The contact centre: representatives, queues, routing, traffic, metrics and Erlang formulas.

Runs on the simulated clock the call layer shares; knows nothing of Textual or of the console.
"""
