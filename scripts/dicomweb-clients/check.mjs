// OHIF's DICOMweb client (npm dicomweb-client, unchanged) with dcmjs-built files against the mock
// DICOM service: store, search at each level, metadata (and its ETag), retrieve study, series and
// instance, frames, rendered; and the 401/403 answers Azure gives. Exits non-zero on a failure.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
globalThis.XMLHttpRequest = require('xhr2'); // dicomweb-client speaks XMLHttpRequest, as in a browser
const { api } = require('dicomweb-client');
// dicomweb-client logs every failed request with its headers (the bearer token included): the
// 401/403 checks expect failures, so its logging is silenced; this script reports for itself.
console.error = () => {};
const dcmjs = require('dcmjs');

const base = process.env.DICOM_V2_URL;
const tokens = { owner: process.env.OWNER_TOKEN, reader: process.env.READER_TOKEN, norole: process.env.NOROLE_TOKEN };
let failures = 0;
const check = (name, ok, detail = '') => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : ': ' + detail}`);
  if (!ok) failures++;
};
const client = (token) => new api.DICOMwebClient({ url: base, headers: token ? { Authorization: `Bearer ${token}` } : {} });
const statusOf = async (p) => { try { await p; return 200; } catch (e) { return e.status ?? e.request?.status ?? -1; } };

// A 4×4 16-bit MONOCHROME2 image with two frames and a VOI window, built by dcmjs.
const uid = `2.25.${BigInt(Date.now()) * 1000n + BigInt(process.pid % 1000)}`;
const ids = { study: uid + '.1', series: uid + '.1.1', sop: uid + '.1.1.1' };
function part10() {
  const pixels = new Uint16Array(4 * 4 * 2).map((_, i) => i * 100);
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.7', MediaStorageSOPInstanceUID: ids.sop,
    TransferSyntaxUID: '1.2.840.10008.1.2.1', ImplementationClassUID: '1.2.826.0.1.3680043.10.1338.1',
  };
  const ds = {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.7', SOPInstanceUID: ids.sop, StudyInstanceUID: ids.study, SeriesInstanceUID: ids.series,
    PatientID: 'NODE-1', PatientName: 'Node^Client', StudyDate: '20260115', Modality: 'OT', AccessionNumber: 'ACC-NODE',
    SamplesPerPixel: 1, PhotometricInterpretation: 'MONOCHROME2', Rows: 4, Columns: 4, NumberOfFrames: '2',
    BitsAllocated: 16, BitsStored: 12, HighBit: 11, PixelRepresentation: 0, WindowCenter: '800', WindowWidth: '1600',
    PixelData: [pixels.buffer], _vrMap: { PixelData: 'OW' },
  };
  const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  return { buffer: dict.write(), pixels };
}

const owner = client(tokens.owner);
const { buffer, pixels } = part10();
await owner.storeInstances({ datasets: [buffer] });
check('STOW-RS with dcmjs file', true);

const tag = (obj, t) => obj?.[t]?.Value?.[0];
const studies = await owner.searchForStudies({ queryParams: { PatientID: 'NODE-1' } });
check('QIDO studies by PatientID', studies.length === 1 && tag(studies[0], '0020000D') === ids.study, JSON.stringify(studies));
const fuzzy = await owner.searchForStudies({ queryParams: { PatientName: 'nod cli', fuzzymatching: 'true' } });
check('QIDO studies fuzzymatching', fuzzy.some((s) => tag(s, '0020000D') === ids.study));
const series = await owner.searchForSeries({ studyInstanceUID: ids.study });
check("QIDO study's series", series.length === 1 && tag(series[0], '0020000E') === ids.series);
const instances = await owner.searchForInstances({ studyInstanceUID: ids.study, seriesInstanceUID: ids.series });
check("QIDO series' instances", instances.length === 1 && tag(instances[0], '00080018') === ids.sop);
const all = await owner.searchForInstances({ queryParams: { SOPInstanceUID: ids.sop } });
check('QIDO all instances', all.length === 1);

const meta = await owner.retrieveInstanceMetadata({ studyInstanceUID: ids.study, seriesInstanceUID: ids.series, sopInstanceUID: ids.sop });
check('metadata (no pixel data, Rows 4)', tag(meta[0], '00280010') === 4 && !meta[0]['7FE00010'], JSON.stringify(meta[0]?.['00280010']));
const studyMeta = await owner.retrieveStudyMetadata({ studyInstanceUID: ids.study });
check('study metadata', studyMeta.length === 1);
const metaURL = `${base}/studies/${ids.study}/metadata`;
const first = await fetch(metaURL, { headers: { Authorization: `Bearer ${tokens.owner}`, Accept: 'application/dicom+json' } });
const etag = first.headers.get('etag');
const again = await fetch(metaURL, { headers: { Authorization: `Bearer ${tokens.owner}`, 'If-None-Match': etag } });
check('metadata ETag then If-None-Match → 304', first.status === 200 && !!etag && again.status === 304, `${first.status} ${etag} ${again.status}`);

const inst = await owner.retrieveInstance({ studyInstanceUID: ids.study, seriesInstanceUID: ids.series, sopInstanceUID: ids.sop });
const parsed = dcmjs.data.DicomMessage.readFile(inst);
check('retrieveInstance (multipart application/dicom)', parsed.dict['00080018'].Value[0] === ids.sop);
const study = await owner.retrieveStudy({ studyInstanceUID: ids.study });
check('retrieveStudy', study.length === 1);
const ser = await owner.retrieveSeries({ studyInstanceUID: ids.study, seriesInstanceUID: ids.series });
check('retrieveSeries', ser.length === 1);
const frames = await owner.retrieveInstanceFrames({ studyInstanceUID: ids.study, seriesInstanceUID: ids.series, sopInstanceUID: ids.sop, frameNumbers: [2] });
const frame2 = new Uint16Array(frames[0].buffer ? frames[0].buffer.slice(frames[0].byteOffset, frames[0].byteOffset + frames[0].byteLength) : frames[0]);
check('retrieveInstanceFrames 2', frame2.length === 16 && frame2[0] === pixels[16], `${frame2.length} ${frame2[0]}`);
const png = await owner.retrieveInstanceRendered({ studyInstanceUID: ids.study, seriesInstanceUID: ids.series, sopInstanceUID: ids.sop, mediaTypes: [{ mediaType: 'image/png' }] });
// The rendered calls resolve to a one-element array holding the image.
const bytesOf = (x) => new Uint8Array(Array.isArray(x) ? x[0] : x);
check('retrieveInstanceRendered png', bytesOf(png)[1] === 0x50, String(bytesOf(png).slice(0, 4)));
const jpg = await owner.retrieveInstanceFramesRendered({ studyInstanceUID: ids.study, seriesInstanceUID: ids.series, sopInstanceUID: ids.sop, frameNumbers: [1], mediaTypes: [{ mediaType: 'image/jpeg' }] });
check('retrieveInstanceFramesRendered jpeg', bytesOf(jpg)[0] === 0xff, String(bytesOf(jpg).slice(0, 4)));

check('no token → 401', (await statusOf(client('').searchForStudies())) === 401);
check('reader stores → 403', (await statusOf(client(tokens.reader).storeInstances({ datasets: [buffer] }))) === 403);
check('reader searches → 200', (await statusOf(client(tokens.reader).searchForStudies({ queryParams: { PatientID: 'NODE-1' } }))) === 200);
check('no data role → 403', (await statusOf(client(tokens.norole).searchForStudies())) === 403);

await owner.deleteStudy?.({ studyInstanceUID: ids.study }).catch(() => {});
console.log(failures === 0 ? 'dicomweb-client: all checks passed' : `dicomweb-client: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
