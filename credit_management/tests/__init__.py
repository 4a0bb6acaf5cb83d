from . import test_ageing_report
from . import test_data_generator
from . import test_exposure
from . import test_install
from . import test_complaint
from . import test_complaint_dispute
from . import test_shared_note
