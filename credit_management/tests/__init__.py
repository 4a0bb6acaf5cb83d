from . import test_ageing_report
from . import test_exposure
from . import test_install
