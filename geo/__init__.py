"""Posture Atlas domain package: gazetteer, dataset loading and validation, the posture
model, exports, map building and static rendering. Never imports Streamlit."""
__version__ = "0.1.0"
