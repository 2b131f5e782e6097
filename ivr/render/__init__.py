"""What front ends print: reports (simulation, staffing, load, records) and call transcripts, with rich."""
