from . import test_ageing_report
from . import test_credit_hold
from . import test_credit_hold_flows
from . import test_credit_hold_settings
from . import test_credit_limit_history
from . import test_credit_release
from . import test_exposure
from . import test_install
