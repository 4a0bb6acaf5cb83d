from . import test_ageing_report
from . import test_exposure
from . import test_install
from . import test_risk_review
