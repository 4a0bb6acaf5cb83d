from . import credit_ageing_report
