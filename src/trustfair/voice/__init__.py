"""User listening: what users tell the marketplace, heard and acted on.

Tickets from every channel classified into problem types and diagnosed; the users
hurt by several bad experiences put on a call-back list; the recommendation score
(NPS); negative feedback rates per merchant and streamer against their peers.
"""
