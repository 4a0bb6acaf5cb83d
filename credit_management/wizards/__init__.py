from . import credit_tier_override
