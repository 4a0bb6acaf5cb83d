from . import account_move
from . import credit_risk_review
from . import credit_risk_tier
from . import res_company
from . import res_config_settings
from . import res_partner
from . import res_partner_credit_risk
from . import sale_order
