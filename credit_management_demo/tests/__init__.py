from . import test_data_generator
from . import test_bulk_mode
from . import test_demo_users
from . import test_credit_info_demo
