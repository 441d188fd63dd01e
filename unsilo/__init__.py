"""unsilo: the platform a company runs its Social Media Center of Excellence on."""

__version__ = "0.1.0"
