"""Shared helpers of the risk tests: payment histories from the data generator's
customers, read as the credit review reads them."""

from credit_core.history import HistoryWindow, InvoiceFact, summarize_history
from generator_core.generator import generate_customers


def invoice_facts(customer):
    """The generated ``customer``'s invoices as :class:`InvoiceFact` (amounts in
    currency units, not cents)."""
    facts = []
    for invoice in customer.invoices:
        payments = tuple((payment.date, payment.amount / 100) for payment in invoice.payments)
        credits = ((invoice.credit_note.date, invoice.credit_note.amount / 100),) if invoice.credit_note else ()
        facts.append(InvoiceFact(invoice.date, invoice.due_date, invoice.amount / 100, payments, credits))
    return facts


def generated_histories(seed, count, today, as_of=None):
    """``[(customer, PaymentHistory as of as_of)]`` for ``count`` generated customers."""
    window = HistoryWindow(as_of or today)
    return [(customer, summarize_history(invoice_facts(customer), window))
            for customer in generate_customers(seed, count, today)]
