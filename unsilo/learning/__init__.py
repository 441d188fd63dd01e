"""What unsilo learns and infers from text, offline and on the CPU: classification (intent,
sentiment, language, urgency, risk) and expertise (who resolves what)."""
