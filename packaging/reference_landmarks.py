"""Reference landmarks from mediapipe 0.10.21's legacy graph, for the pose bundle test.

The legacy `mp.solutions.pose` graph runs the same two models with the normalization
MediaPipe itself configured, so its landmarks tell whether our bundle's metadata (mean 0,
std 255) is right. Run it once in a throw-away venv and keep the JSON as a test fixture:

    python3 -m venv /tmp/mp21 && /tmp/mp21/bin/pip install mediapipe==0.10.21 scikit-image
    /tmp/mp21/bin/python packaging/reference_landmarks.py > tests/recognizer/fixtures/mediapipe_0_10_21_reference.json

Needs Debian's opencv-doc for the sample photos.
"""
import json, sys, numpy as np, cv2
import mediapipe as mp
from skimage import data
D = "/usr/share/doc/opencv-doc/examples/data/"
imgs = {"astronaut": data.astronaut(),
        "messi5": cv2.cvtColor(cv2.imread(D+"messi5.jpg"), cv2.COLOR_BGR2RGB),
        "basketball1": cv2.cvtColor(cv2.imread(D+"basketball1.png"), cv2.COLOR_BGR2RGB)}
out = {}
with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1, enable_segmentation=False) as pose:
    for k, im in imgs.items():
        r = pose.process(im)
        if r.pose_landmarks:
            out[k] = {"size": [im.shape[1], im.shape[0]], "landmarks": [[round(p.x,6), round(p.y,6), round(p.visibility,4)] for p in r.pose_landmarks.landmark]}
print(json.dumps(out))
