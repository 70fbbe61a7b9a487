"""The model zoo: SLnL-rFA (+ mutual learning) and TS-SAN, built by name.

    from recognizer.models import create_model, list_models
    model = create_model("slnl_rfa_lite", num_classes=10)      # two streams
    logits = model(x)                                         # x: (N, C, T, V, M)

Every model shares one surface (``recognizer.models.classifier.SkeletonClassifier``);
attention and frequency maps come from ``recognizer.models.introspect``.
"""

from recognizer.models.registry import create_model, list_models, model_config

__all__ = ["create_model", "list_models", "model_config"]
