"""The JSON Schemas of prseed's contracts (package data: read with ``prseed.resources``)."""
