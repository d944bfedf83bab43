"""The marketplace simulator: a deterministic feed of events and the truth behind it.

``simulate(seed, scale, out_dir)`` writes two files.

``events.jsonl``: one event a line, every line valid for ``trustfair.events``, in time
order, times in +08:00. Ids are plain counters (``ev000000001``, ``m00001``, ``l0000001``,
``ls0000001`` for live sessions, ``o000000001`` for orders, ``u0000001`` for users).

``truth.jsonl``: what really happened, in this order:

- ``{"kind": "brand", "brand_id", "price_floor_fen", "authorised_merchants"}``: the
  schema has no event for a brand's price floor or its authorised sellers, so the
  truth carries them for whoever evaluates counterfeit detection;
- ``{"kind": "user", "user_id", "role": "spam_bot"}``: users posting spam in chats;
- ``{"kind": "entity", "entity_type": "merchant"|"streamer", "entity_id", "nature",
  "linked_to"?}``: every merchant and streamer; a repeat offender that comes back
  under a new shop with the same identity is a new entity with ``linked_to`` the old;
- ``{"kind": "violation", "event_id", "event_type", "entity_type", "entity_id",
  "labels", "text_labels", "disguises", ...}``: one line per violating event.
  ``labels`` is everything wrong with the event; ``text_labels`` the subset a text
  detector can find in the event's own text; ``disguises`` the hiding techniques used
  in that text. ``entity_type`` is who is to blame (merchant, streamer, or a chat user).
  Non-text labels sit on these events:

  - ``price_fraud`` on ``listing.price_changed`` (reference above the lowest price of
    the previous 7 days; ``lowest_7d_fen`` given) and on ``live.segment`` whose
    ``spoken_price_fen`` differs from the checkout price (``checkout_price_fen``);
  - ``late_shipment`` on ``order.shipped`` after ``ship_by`` (``late_by_s``);
  - ``counterfeit`` on ``listing.published`` by a seller the brand did not authorise,
    far below the brand's price floor;
  - ``report_burst`` on the session's ``live.started`` event, with the session id and
    ``report_event_ids``: at least 5 reports within 10 minutes (what the first real
    rule looks for). Only sessions with violating speech get bursts.

  Records of live events carry ``session_id``.
- ``{"kind": "ticket", "ticket_id", "problem", "channel", "user_id"}``: one line per
  ``ticket.opened``; ``problem`` (a ``trustfair.voice.problems.Problem``) is what the
  ticket's text is really about;
- ``{"kind": "hurt_user", "user_id", "experiences": [{"kind", "at", "order_id"?,
  "ticket_id"?}, ...]}``: users who met at least 2 bad experiences (an
  ``trustfair.voice.problems.Experience``) within some 30 days, with all their
  experiences oldest first: ``late_shipment`` (an order shipped after ``ship_by`` or
  never shipped; at the deadline), ``refund_refused`` (the merchant refused a refund or
  return: an ``order.refund_refused`` event, or only the buyer's ticket text, or
  nothing the log shows; at the refusal), ``counterfeit`` (an order of a counterfeit
  listing delivered, complained of or not; at the delivery), ``rude_service`` (told in
  a ticket; at its opening), ``unresolved_ticket`` (at the ``ticket.closed``).

Streams: the marketplace draws from one generator; consumer protection, the brands'
sweeps and the voice of users (``sim.voice``: refusals, rudeness, carriers, questions,
confirmations of receipt, the text of every ticket and survey comment) each from a
generator of their own, so adding them moved nothing the main one drew. Voice events
are numbered ``evv…`` and its tickets ``tkv…``, so earlier events keep their ids.
"""

from trustfair.sim.simulate import SimulationSummary, simulate

__all__ = ["SimulationSummary", "simulate"]
