# Sourced by scripts/test and scripts/test-moved-dates: run pytest; if the test process
# itself dies on a signal (a segmentation fault, seen once on CI in a test that runs Qt,
# an in-process siège and a sync worker in one process), say so in French and run pytest
# once more. A test that fails is never retried: only a crashed interpreter is.
run_pytest() {
  local status=0
  "$ROOT/.venv/bin/python" -m pytest "$@" || status=$?
  if [ "$status" -ge 128 ]; then
    echo "Le processus de test s'est arrêté brutalement (signal $((status - 128))) ;" \
      "la pile de chaque fil est ci-dessus. Nouvelle exécution, une seule fois." >&2
    status=0
    "$ROOT/.venv/bin/python" -m pytest "$@" || status=$?
  fi
  return "$status"
}
