from . import credit_data_generator
