"""A DICOMweb client on Debian's pydicom and requests against the mock DICOM service.

Files are written by pydicom in implicit VR little endian, so every retrieve in the default
transfer syntax (explicit VR little endian) is a transcoding the service must do right.
Exits non-zero on a failure.
"""
import io
import os
import sys
import time
import warnings

import pydicom
import requests
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, SecondaryCaptureImageStorage

warnings.filterwarnings("ignore", message="Invalid value for VR")  # the invalid date is on purpose
BASE = os.environ["DICOM_V2_URL"]
V1 = BASE[: -len("/v2")] + "/v1"
TOKENS = {k: os.environ[k.upper() + "_TOKEN"] for k in ("owner", "reader", "norole")}
failures = 0


def check(name, ok, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + str(detail)))
    if not ok:
        failures += 1


def headers(who="owner", **extra):
    h = {"Authorization": "Bearer " + TOKENS[who]} if who else {}
    h.update(extra)
    return h


def build(study, series, sop, study_date="20260116", patient_id="PY-1"):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = sop
    meta.TransferSyntaxUID = ImplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.is_little_endian, ds.is_implicit_VR = True, True
    ds.SOPClassUID, ds.SOPInstanceUID = SecondaryCaptureImageStorage, sop
    ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
    ds.PatientID, ds.PatientName, ds.StudyDate, ds.Modality = patient_id, "Python^Client", study_date, "OT"
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 3, "RGB"
    ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 2, 2, 8, 8, 7
    ds.PixelRepresentation, ds.PlanarConfiguration = 0, 0
    ds.PixelData = bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])
    buf = io.BytesIO()
    ds.save_as(buf, write_like_original=False)
    return buf.getvalue()


def multipart(parts, boundary="pydicom-check"):
    body = b""
    for p in parts:
        body += b"--" + boundary.encode() + b"\r\nContent-Type: application/dicom\r\n\r\n" + p + b"\r\n"
    body += b"--" + boundary.encode() + b"--\r\n"
    return 'multipart/related; type="application/dicom"; boundary=' + boundary, body


def split_multipart(resp):
    ct = resp.headers["Content-Type"]
    boundary = [p.split("=", 1)[1].strip('"') for p in ct.split(";") if p.strip().startswith("boundary=")][0]
    out = []
    for chunk in resp.content.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        _, _, body = chunk.partition(b"\r\n\r\n")
        out.append(body[:-2] if body.endswith(b"\r\n") else body)
    return out


def tag(obj, t):
    return (obj.get(t, {}).get("Value") or [None])[0]


uid = "2.25.%d" % (time.time_ns() // 1000)
study, series, sop = uid + ".1", uid + ".1.1", uid + ".1.1.1"
original = build(study, series, sop)
ct, body = multipart([original])
r = requests.post(BASE + "/studies/" + study, data=body, headers=headers(**{"Content-Type": ct, "Accept": "application/dicom+json"}))
check("STOW-RS of an implicit VR file", r.status_code == 200 and tag(r.json(), "00081190").endswith("/studies/" + study), r.text[:300])

r = requests.get(BASE + "/studies", params={"PatientID": "PY-1", "StudyDate": "20260101-20260131"}, headers=headers())
check("QIDO studies by PatientID and a date range", r.status_code == 200 and any(tag(s, "0020000D") == study for s in r.json()), r.status_code)
r = requests.get(BASE + "/series", params={"StudyInstanceUID": study}, headers=headers())
check("QIDO all series", r.status_code == 200 and tag(r.json()[0], "0020000E") == series and tag(r.json()[0], "00100020") == "PY-1")
r = requests.get(BASE + "/studies/%s/instances" % study, params={"includefield": "Rows"}, headers=headers())
check("QIDO study's instances with includefield", r.status_code == 200 and tag(r.json()[0], "00280010") == 2, r.text[:200])
r = requests.get(BASE + "/studies", params={"PatientName": ""}, headers=headers())
check("QIDO refuses an empty value (400 text)", r.status_code == 400 and "empty string value" in r.text, r.text)

url = BASE + "/studies/%s/series/%s/instances/%s" % (study, series, sop)
r = requests.get(url + "/metadata", headers=headers(Accept="application/dicom+json"))
etag = r.headers.get("ETag")
ds = Dataset.from_json(r.json()[0])
check("metadata parses with pydicom, no PixelData", r.status_code == 200 and ds.Rows == 2 and "PixelData" not in ds)
r = requests.get(url + "/metadata", headers=headers(**{"If-None-Match": etag or ""}))
check("metadata If-None-Match → 304", r.status_code == 304 and not r.content, r.status_code)

r = requests.get(url, headers=headers(Accept="application/dicom"))
got = pydicom.dcmread(io.BytesIO(r.content))
check("retrieve instance transcoded to explicit VR LE", r.status_code == 200 and got.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
      and got.PixelData == pydicom.dcmread(io.BytesIO(original)).PixelData, r.status_code)
r = requests.get(url, headers=headers(Accept="application/dicom; transfer-syntax=*"))
check("retrieve instance as stored", r.status_code == 200 and pydicom.dcmread(io.BytesIO(r.content)).file_meta.TransferSyntaxUID == ImplicitVRLittleEndian)
r = requests.get(url, headers=headers(Accept="application/dicom; transfer-syntax=1.2.840.10008.1.2.4.50"))
check("retrieve in an unlisted syntax → 406", r.status_code == 406, r.status_code)
for name, path in (("study", "/studies/" + study), ("series", "/studies/%s/series/%s" % (study, series))):
    r = requests.get(BASE + path, headers=headers(Accept='multipart/related; type="application/dicom"'))
    parts = split_multipart(r) if r.status_code == 200 else []
    check("retrieve " + name, len(parts) == 1 and pydicom.dcmread(io.BytesIO(parts[0])).SOPInstanceUID == sop, r.status_code)

r = requests.get(url + "/frames/1", headers=headers(Accept='multipart/related; type="application/octet-stream"'))
parts = split_multipart(r) if r.status_code == 200 else []
check("frames/1", parts == [bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])], r.status_code)
r = requests.get(url + "/frames/2", headers=headers(Accept='multipart/related; type="application/octet-stream"'))
check("frames/2 of a single-frame instance → 404", r.status_code == 404, r.status_code)
r = requests.get(url + "/rendered", headers=headers(Accept="image/png"))
check("rendered PNG", r.status_code == 200 and r.content[:4] == b"\x89PNG", r.status_code)
r = requests.get(url + "/rendered", params={"quality": 50}, headers=headers())
check("rendered JPEG by default", r.status_code == 200 and r.headers["Content-Type"] == "image/jpeg" and r.content[:2] == b"\xff\xd8")

bad = build(uid + ".2", uid + ".2.1", uid + ".2.1.1", study_date="NotADate")
ct, body = multipart([bad])
r = requests.post(V1 + "/studies", data=body, headers=headers(**{"Content-Type": ct}))
check("v1 refuses an invalid StudyDate (409, 43264)", r.status_code == 409 and "43264" in r.text, r.status_code)
r = requests.post(BASE + "/studies", data=body, headers=headers(**{"Content-Type": ct}))
check("v2 stores it with a warning (202, FailedAttributesSequence)", r.status_code == 202 and "00741048" in r.text, r.status_code)
nopid = build(uid + ".3", uid + ".3.1", uid + ".3.1.1")
ds = pydicom.dcmread(io.BytesIO(nopid))
del ds.PatientID
buf = io.BytesIO()
ds.save_as(buf, write_like_original=False)
ct, body = multipart([buf.getvalue()])
r = requests.post(BASE + "/studies", data=body, headers=headers(**{"Content-Type": ct}))
check("no PatientID → 409 43264", r.status_code == 409 and "43264" in r.text, r.status_code)

r = requests.get(BASE + "/studies", headers=headers(None))
check("no token → 401, empty body, challenge", r.status_code == 401 and not r.content and "authorization_uri" in r.headers.get("WWW-Authenticate", ""))
r = requests.get(BASE + "/studies", headers={"Authorization": "Bearer " + TOKENS["owner"][:-4] + "AAAA"})
check("forged token → 401 invalid_token", r.status_code == 401 and 'error="invalid_token"' in r.headers.get("WWW-Authenticate", ""))
r = requests.post(BASE + "/studies", data=body, headers=headers("reader", **{"Content-Type": ct}))
check("reader stores → 403", r.status_code == 403 and r.text == "Authorization failed.", r.status_code)
r = requests.get(BASE + "/studies", headers=headers("norole"))
check("no data role → 403", r.status_code == 403, r.status_code)

for s in (study, uid + ".2"):
    requests.delete(BASE + "/studies/" + s, headers=headers())
print("pydicom client: all checks passed" if failures == 0 else "pydicom client: %d check(s) failed" % failures)
sys.exit(1 if failures else 0)
