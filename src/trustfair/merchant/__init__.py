"""Fulfilment and merchant support: shipping deadlines watched and merchants urged
before they miss them; early settlement for merchants who have earned trust; rule
courses and the exams some sanctions wait for.
"""
