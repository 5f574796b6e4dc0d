// Erasure receipts: the proof, kept in the event log, that a subject (or some categories
// of it) was forgotten. A restored key storage re-applies them before serving a key, so
// each carries a MAC under a receipt key of its own: an event that merely looks like a
// receipt cannot make Eventline forget someone, nor be passed off as one. The receipt key
// is 32 random bytes kept in the key storage wrapped under the KEK (like the subject
// secret), drawn apart from every data key and never deleted by a forget.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyStorage } from '../store/key-storage.js';
import { openSetting, sealSetting } from './sealed-setting.js';
import { kekId } from './wrap.js';

/** The event type of a receipt, and of the event appended with it. */
export const ERASURE_RECEIPT = 'ErasureReceipt';
export const SUBJECT_FORGOTTEN = 'SubjectForgotten';
/** The key storage's setting holding the receipt key, sealed. */
export const RECEIPT_KEY_SETTING = 'receipt-key';

/** What an ErasureReceipt event holds. */
export interface ErasureReceipt {
  /** The subject's keyed hash: the receipt never names the subject. */
  subjectHash: string;
  /** The categories forgotten; null: every category. */
  categories: readonly string[] | null;
  /** The ids of the data keys deleted, sorted (empty when they were gone already). */
  keyIds: readonly string[];
  /** When, in epoch milliseconds. */
  at: number;
  /** Base64 HMAC-SHA256 under the receipt key of the canonical text of the fields above (receiptText). */
  mac: string;
}


/** The receipt key of a key storage under `kek`, made on first use (the first writer wins). */
export async function openReceiptKey(storage: KeyStorage, kek: Buffer): Promise<Buffer> {
  const setting = await storage.initSetting(RECEIPT_KEY_SETTING, sealSetting(kek, RECEIPT_KEY_SETTING, randomBytes(32)));
  return openSetting(setting, RECEIPT_KEY_SETTING, { kek, id: kekId(kek) });
}

/**
 * The text a receipt's MAC covers: canonical JSON of { subjectHash, categories, keyIds, at }
 * in that order, the categories and key ids sorted, under a label that keeps it apart
 * from anything else the receipt key could ever sign.
 */
export function receiptText(receipt: Omit<ErasureReceipt, 'mac'>): string {
  const sorted = (values: readonly string[]) => [...values].sort();
  return JSON.stringify([
    'eventline erasure receipt 1',
    { subjectHash: receipt.subjectHash, categories: receipt.categories === null ? null : sorted(receipt.categories), keyIds: sorted(receipt.keyIds), at: receipt.at },
  ]);
}

/** A receipt with its MAC; categories and key ids sorted. */
export function signReceipt(key: Buffer, fields: Omit<ErasureReceipt, 'mac'>): ErasureReceipt {
  const receipt = {
    subjectHash: fields.subjectHash,
    categories: fields.categories === null ? null : [...fields.categories].sort(),
    keyIds: [...fields.keyIds].sort(),
    at: fields.at,
  };
  return { ...receipt, mac: mac(key, receipt) };
}

/** Whether `value` is a receipt in the form this Eventline writes. */
export function isReceiptShaped(value: unknown): value is ErasureReceipt {
  if (typeof value !== 'object' || value === null) return false;
  const { subjectHash, categories, keyIds, at, mac: tag } = value as Record<string, unknown>;
  const strings = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === 'string');
  return (
    typeof subjectHash === 'string' &&
    subjectHash.length > 0 &&
    (categories === null || (strings(categories) && (categories as unknown[]).length > 0)) &&
    strings(keyIds) &&
    Number.isSafeInteger(at) &&
    typeof tag === 'string'
  );
}

/** Whether `receipt` is well formed and its MAC verifies under `key` (compared in constant time). */
export function verifyReceiptMac(key: Buffer, receipt: unknown): boolean {
  if (!isReceiptShaped(receipt)) return false;
  const expected = Buffer.from(mac(key, receipt), 'base64');
  const given = Buffer.from(receipt.mac, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function mac(key: Buffer, receipt: Omit<ErasureReceipt, 'mac'>): string {
  return createHmac('sha256', key).update(receiptText(receipt), 'utf8').digest('base64');
}
