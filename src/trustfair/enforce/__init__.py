"""Enforcement: penalty points, sanctions and restrictions, linked accounts, appeals.

Effects here run in the transaction of the decision that asked for them; the policy
file (``trustfair.policy.files``) says how many points and which sanctions.
"""
