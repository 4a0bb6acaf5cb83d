from . import credit_hold_wizard
from . import credit_limit_change
from . import credit_tier_override
