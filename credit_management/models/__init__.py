from . import account_move
from . import credit_data_generator
from . import credit_risk_tier
from . import res_company
from . import res_config_settings
from . import res_partner
from . import sale_order
