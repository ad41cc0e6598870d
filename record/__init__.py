"""The record that proves itself: the chains and their canonical encoding, the ledger of acts,
the replay and check of every row against its chain (`verify`), and the anchors."""
