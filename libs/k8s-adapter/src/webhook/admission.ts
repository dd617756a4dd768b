import * as E from 'fp-ts/lib/Either.js';

/** What the webhook takes from an AdmissionReview v1 request. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly operation: string;
  readonly name: string | undefined;
  readonly object: unknown;
  readonly oldObject: unknown;
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** Decodes a parsed request body; Left says what is wrong with it, for a 400 answer. */
export const decodeAdmissionReview = (body: unknown): E.Either<string, AdmissionRequest> => {
  if (!isObject(body)) return E.left('the body is not a JSON object');
  if (body['kind'] !== 'AdmissionReview')
    return E.left(`expected kind AdmissionReview, got ${JSON.stringify(body['kind'] ?? null)}`);
  if (body['apiVersion'] !== 'admission.k8s.io/v1') {
    return E.left(
      `expected apiVersion admission.k8s.io/v1, got ${JSON.stringify(body['apiVersion'] ?? null)} (register the webhook with admissionReviewVersions: [v1])`,
    );
  }
  const request = body['request'];
  if (!isObject(request)) return E.left('the AdmissionReview has no request');
  const uid = request['uid'];
  if (typeof uid !== 'string' || uid === '') return E.left('request.uid is missing');
  const operation = request['operation'];
  if (typeof operation !== 'string' || operation === '') return E.left('request.operation is missing');
  const name = request['name'];
  return E.right({
    uid,
    operation,
    name: typeof name === 'string' ? name : undefined,
    object: request['object'] ?? undefined,
    oldObject: request['oldObject'] ?? undefined,
  });
};

/** The AdmissionReview v1 answer: the request's uid echoed with the decision. */
export const admissionReview = (uid: string, response: object): object => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { ...response, uid },
});
