"""Build the offline MediaPipe pose-landmarker bundle `assets/pose/pose_landmarker_full.task`.

Why: today's mediapipe wheels ship no pose model, and the Tasks API would download one at
run time, which offline laptops cannot do. The mediapipe 0.10.21 wheel still carries the
Apache-2.0 model files, so we repackage those:

1. read `pose_detection.tflite` and `pose_landmark_full.tflite` out of the wheel (zipfile),
   and repack both with 16-byte aligned constants (TFLite otherwise copies them at load);
2. the detector already has TFLite metadata with its input normalization (mean/std 127.5);
   the landmark model has none, and the Tasks API refuses a float image input without
   NormalizationOptions, so we write a metadata flatbuffer for it (mean 0, std 255: the
   model expects RGB in [0, 1]) and attach it as the "TFLITE_METADATA" buffer;
3. zip both, uncompressed, as `pose_detector.tflite` and `pose_landmarks_detector.tflite`
   with fixed timestamps so the build is reproducible byte for byte.

Usage (needs only the project's venv and the package registry):

    pip download mediapipe==0.10.21 --no-deps -d /tmp/mp
    python packaging/build_pose_bundle.py /tmp/mp/mediapipe-0.10.21-*.whl -o assets/pose/pose_landmarker_full.task
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

import flatbuffers
import numpy as np
from mediapipe.tasks.metadata import metadata_schema_py_generated as meta_fb
from mediapipe.tasks.metadata import schema_py_generated as tflite_fb

DETECTOR_IN_WHEEL = "mediapipe/modules/pose_detection/pose_detection.tflite"
LANDMARKER_IN_WHEEL = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
METADATA_NAME = "TFLITE_METADATA"
FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)
TENSOR_ALIGNMENT = 16  # TFLite maps constant tensors in place only when their data is 16-byte aligned

# The five outputs of pose_landmark_full, in model order.
LANDMARK_OUTPUTS = (
    ("landmarks", "33 landmarks x (x, y, z, visibility, presence) in input pixels"),
    ("pose_flag", "probability that a pose is present"),
    ("segmentation", "256x256 person segmentation logits"),
    ("heatmap", "64x64x39 landmark heatmaps"),
    ("world_landmarks", "39 landmarks x (x, y, z) in metres, hip-centred"),
)


def _feature_tensor(name: str, description: str) -> meta_fb.TensorMetadataT:
    tensor = meta_fb.TensorMetadataT()
    tensor.name = name
    tensor.description = description
    tensor.content = meta_fb.ContentT()
    tensor.content.contentPropertiesType = meta_fb.ContentProperties.FeatureProperties
    tensor.content.contentProperties = meta_fb.FeaturePropertiesT()
    return tensor


def _image_input_tensor() -> meta_fb.TensorMetadataT:
    """An RGB image input normalized as (pixel - 0) / 255, i.e. to [0, 1]."""
    tensor = meta_fb.TensorMetadataT()
    tensor.name = "image"
    tensor.description = "RGB image, 256x256, values in [0, 1]"
    tensor.content = meta_fb.ContentT()
    tensor.content.contentPropertiesType = meta_fb.ContentProperties.ImageProperties
    tensor.content.contentProperties = meta_fb.ImagePropertiesT()
    tensor.content.contentProperties.colorSpace = meta_fb.ColorSpaceType.RGB
    normalization = meta_fb.ProcessUnitT()
    normalization.optionsType = meta_fb.ProcessUnitOptions.NormalizationOptions
    normalization.options = meta_fb.NormalizationOptionsT()
    normalization.options.mean = [0.0]
    normalization.options.std = [255.0]
    tensor.processUnits = [normalization]
    tensor.stats = meta_fb.StatsT()
    tensor.stats.min = [0.0]
    tensor.stats.max = [1.0]
    return tensor


def landmark_metadata() -> bytes:
    """The metadata flatbuffer (file identifier "M001") for pose_landmark_full.tflite."""
    subgraph = meta_fb.SubGraphMetadataT()
    subgraph.inputTensorMetadata = [_image_input_tensor()]
    subgraph.outputTensorMetadata = [_feature_tensor(n, d) for n, d in LANDMARK_OUTPUTS]
    model = meta_fb.ModelMetadataT()
    model.name = "Pose landmark (full)"
    model.description = "MediaPipe BlazePose GHUM 3D landmark model, full complexity."
    model.version = "mediapipe-0.10.21"
    model.license = "Apache-2.0"
    model.minParserVersion = "1.0.0"
    model.subgraphMetadata = [subgraph]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"M001")
    return bytes(builder.Output())


class _AlignedBufferT(tflite_fb.BufferT):
    """A TFLite buffer whose data starts on a 16-byte boundary when packed.

    The generated `BufferT.Pack` aligns uint8 data to 1 byte only; TFLite then warns about
    unaligned tensors and copies them to the heap at every load.
    """

    def Pack(self, builder):
        data = None
        if self.data is not None and len(self.data):
            payload = np.asarray(self.data, dtype=np.uint8).tobytes()
            builder.StartVector(1, len(payload), TENSOR_ALIGNMENT)
            builder.head -= len(payload)
            builder.Bytes[builder.head:builder.head + len(payload)] = payload
            data = builder.EndVector()
        tflite_fb.BufferStart(builder)
        if data is not None:
            tflite_fb.BufferAddData(builder, data)
        tflite_fb.BufferAddOffset(builder, self.offset)
        tflite_fb.BufferAddSize(builder, self.size)
        return tflite_fb.BufferEnd(builder)


def _pack_aligned(model: tflite_fb.ModelT, size_hint: int) -> bytes:
    """Serialize a model with every constant buffer 16-byte aligned."""
    for buffer in model.buffers:
        buffer.__class__ = _AlignedBufferT
    builder = flatbuffers.Builder(size_hint + 1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def realign(tflite: bytes) -> bytes:
    """The same model, repacked so TFLite can use its constants in place."""
    return _pack_aligned(tflite_fb.ModelT.InitFromObj(tflite_fb.Model.GetRootAs(tflite, 0)), len(tflite))


def attach_metadata(tflite: bytes, metadata: bytes) -> bytes:
    """Return the model (realigned) with `metadata` stored as its "TFLITE_METADATA" buffer."""
    model = tflite_fb.ModelT.InitFromObj(tflite_fb.Model.GetRootAs(tflite, 0))
    if any(m.name == METADATA_NAME.encode() for m in (model.metadata or [])):
        raise ValueError("model already has TFLITE_METADATA")
    buffer = tflite_fb.BufferT()
    buffer.data = np.frombuffer(metadata, dtype=np.uint8)
    model.buffers.append(buffer)
    entry = tflite_fb.MetadataT()
    entry.name = METADATA_NAME
    entry.buffer = len(model.buffers) - 1
    model.metadata = (model.metadata or []) + [entry]
    return _pack_aligned(model, len(tflite) + len(metadata))


def build_bundle(wheel: Path, out: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        detector = realign(zf.read(DETECTOR_IN_WHEEL))
        landmarker = attach_metadata(zf.read(LANDMARKER_IN_WHEEL), landmark_metadata())
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as bundle:
        for name, data in (("pose_detector.tflite", detector), ("pose_landmarks_detector.tflite", landmarker)):
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.external_attr = 0o644 << 16
            bundle.writestr(info, data)
    tmp.replace(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="mediapipe-0.10.21 wheel (pip download mediapipe==0.10.21 --no-deps)")
    parser.add_argument("-o", "--out", type=Path, default=Path("assets/pose/pose_landmarker_full.task"))
    args = parser.parse_args()
    build_bundle(args.wheel, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
