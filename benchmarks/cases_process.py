"""The example programs as whole processes: ``ember run prog.py`` against ``python prog.py``.

Each run is a fresh interpreter (``sys.executable``, so the environment's Ember and PyTorch): the
time is its wall time, start-up and import included, and the memory columns show the child's
peak resident set (its ``ru_maxrss``), median over the timed runs. These are what a user of the
seed's programs waits for and pays.
"""

from harness import REPO, case, python_command

SEED = "examples/seed_module_vs_sequential.py"
DIGITS = "examples/train_digits.py"
DIGITS_DATA = f"{REPO}/ember/_data/digits.csv.gz"


@case("seed programs, whole process (ember run vs python + torch)", repeat=5, warmup=1,
      number=1, target=0.10, memory_target=0.25)
def seed_process():
    return python_command("-m", "ember", "run", SEED), python_command(SEED)


@case("train_digits demo, whole process (ember run vs python + torch)", repeat=3, warmup=0,
      number=1)
def digits_process():
    # both sides get the data file's path (PyTorch's side cannot ask Ember where it is)
    return (python_command("-m", "ember", "run", DIGITS, DIGITS_DATA),
            python_command(DIGITS, DIGITS_DATA))
