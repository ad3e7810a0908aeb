"""What every provider's Singer tap shares: a stream whose bookmark moves per export batch. The taps
themselves (`tap-headwater-fullstory`, `tap-headwater-amplitude`) live with their providers, in
`connectors/<provider>/tap.py`, over the same export code as the built-in sync."""
