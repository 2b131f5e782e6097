"""The Textual front end. Nothing below it imports Textual."""
