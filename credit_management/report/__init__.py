from . import credit_ageing_report
from . import credit_followup_analysis
