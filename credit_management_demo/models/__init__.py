from . import credit_data_generator
from . import credit_info_demo
