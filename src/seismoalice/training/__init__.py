"""Training: YAML configs (:mod:`.config`), one class per stage (:mod:`.stages`), the loop that
drives them (:mod:`.loop`), run folders and checkpoints (:mod:`.run`), losses, validation
metrics and data parallelism."""
