"""Singer taps over the same export code as the built-in sync: `tap-headwater-fullstory` and
`tap-headwater-amplitude`, built on the Singer SDK."""
