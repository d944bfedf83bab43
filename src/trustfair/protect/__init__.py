"""Consumer protection: guarantees merchants opt into, buyers' claims, the protection
fund, and the double-entry money ledger every fen of them moves through."""
