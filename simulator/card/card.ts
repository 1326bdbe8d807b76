/**
 * The emulated SentriCard chip, in process (protocol/SPEC.md (Card chapter)): persistent EEPROM (journaled,
 * sealed in a card file under a chip-unique key) + the applet + volatile session state.
 *
 *   const card = Card.load("agent.card");
 *   card.powerOn();                       // recovers a torn commit, checks integrity, returns the ATR
 *   const rsp = card.transmitApdu(apdu);  // plain APDU level (vpcd, tests)
 *   card.t1().receive(block);             // or ISO 7816-3 T=1 blocks (simulated card slot)
 *
 * Every commit is written through to the card file when the card was loaded from (or saved to)
 * a path, so the card survives restarts of the process.
 */
import { randomBytes } from "node:crypto";
import type { BlockCipher } from "../../protocol/blockcipher.ts";
import { SW_MEMORY_FAILURE } from "../../protocol/iso7816/sw.ts";
import { aesBlockCipher } from "../crypto/index.ts";
import { Applet, RandomSource } from "./applet.ts";
import { Eeprom, PowerCut } from "./eeprom.ts";
import { Layout, readCapacities } from "./layout.ts";
import { PAGE_SIZE, HOME_FIRST_PAGE, recover, readHome, homeIntact } from "./journal.ts";
import { readChipFile, writeChipFile, SealedChip } from "./store.ts";
import { CardT1, CardT1Options } from "./t1.ts";

/** Simulated time for secure messaging and applet logic of one command, in microseconds. */
export const COMMAND_MICROS = 2_000;
/** Simulated time of one EEPROM page erase + write, in microseconds. */
export const EEPROM_WRITE_MICROS = 3_000;

/** How a Card is built (all optional). */
export interface CardOptions {
  /** Card challenges; default node:crypto randomBytes. Seed it for reproducible simulations. */
  random?: RandomSource;
  /** AES for SCP03; default the simulator's AES. */
  blockCipher?: BlockCipher;
  /** Where the card file lives; commits are written through to it. */
  path?: string;
  /** Called with every command APDU the applet receives and its response (tracing, tests). */
  trace?: (apdu: Uint8Array, response: Uint8Array) => void;
  /** T=1 card-side parameters (TA1 rate, IFSC, BWI/CWI, clock, processing time). */
  t1?: Omit<CardT1Options, "handler">;
}

/** One emulated chip (spec §8): load or issue it, powerOn(), then transmitApdu() or t1(). */
export class Card {
  readonly eeprom: Eeprom;
  readonly chipId: Uint8Array;
  path: string | null;
  private readonly random: RandomSource;
  private readonly bc: BlockCipher;
  private applet: Applet | null = null;
  private homeImage: Uint8Array | null = null;
  private cardLayout: Layout | null = null;
  private mute = false;
  private readonly t1Side: CardT1;
  private readonly trace: CardOptions["trace"];

  constructor(chip: SealedChip, opts: CardOptions = {}) {
    this.eeprom = new Eeprom(chip.pageSize, chip.pageCount, chip.eeprom);
    this.chipId = chip.chipId;
    this.path = opts.path ?? null;
    this.random = opts.random ?? ((n) => new Uint8Array(randomBytes(n)));
    this.bc = opts.blockCipher ?? aesBlockCipher();
    this.trace = opts.trace;
    this.t1Side = new CardT1({
      processingEtu: () => this.lastCommandMicros() / this.t1Side.etuMicros(),
      ...opts.t1,
      handler: (apdu) => this.transmitApdu(apdu),
    });
  }

  /** EEPROM page writes of the last command (its commits), for the processing-time model. */
  lastCommandWrites = 0;

  /**
   * Simulated processing time of the last command: secure messaging and the applet (COMMAND_MICROS)
   * plus EEPROM_WRITE_MICROS per page write, typical figures for a contact smart-card chip.
   */
  lastCommandMicros(): number {
    return COMMAND_MICROS + this.lastCommandWrites * EEPROM_WRITE_MICROS;
  }

  /** Opens a card file (throws CardFileError when it is not one, or was modified). */
  static load(path: string, opts: CardOptions = {}): Card {
    return new Card(readChipFile(path), { ...opts, path });
  }

  /** The EEPROM as a card file would seal it. */
  sealed(): SealedChip {
    return { chipId: this.chipId, pageSize: this.eeprom.pageSize, pageCount: this.eeprom.pageCount, eeprom: this.eeprom.bytes };
  }

  /** Writes the card file (to `path`, which then becomes the card's file). */
  saveTo(path: string): void {
    this.path = path;
    writeChipFile(path, this.sealed());
  }

  private persist(): void {
    if (this.path) writeChipFile(this.path, this.sealed());
  }

  /**
   * Power-up: finishes or discards a torn commit (journal recovery), runs the integrity check of
   * the home image, and starts with a fresh session. A card that fails the check answers every
   * command with 6581. Returns the ATR.
   */
  powerOn(): Uint8Array {
    this.eeprom.powerUp();
    const writes = this.eeprom.writes;
    recover(this.eeprom);
    if (this.eeprom.writes !== writes) this.persist();
    const caps = readCapacities(this.eeprom.bytes.subarray(HOME_FIRST_PAGE * PAGE_SIZE));
    this.cardLayout = caps ? new Layout(caps) : null;
    this.homeImage = this.cardLayout ? readHome(this.eeprom, this.cardLayout.size) : null;
    this.mute = !this.homeImage || !homeIntact(this.homeImage);
    this.applet = this.mute ? null : new Applet(this.cardLayout!, this.homeImage!, this.eeprom, this.bc, this.random);
    return this.t1().reset();
  }

  /** Power-down: the session and everything volatile is lost. */
  powerOff(): void {
    this.applet = null;
  }

  /** True when the power-up integrity check passed. */
  get intact(): boolean {
    return !this.mute;
  }

  /** The layout of this card's home image (after powerOn). */
  get layout(): Layout {
    if (!this.cardLayout) throw new Error("card has no valid layout (power it on first)");
    return this.cardLayout;
  }

  /** A copy of the committed home image (tests compare states with it). */
  home(): Uint8Array {
    if (!this.homeImage) throw new Error("card is not powered or failed its integrity check");
    return this.homeImage.slice();
  }

  /**
   * One command APDU in, the response APDU out. Throws when the card is unpowered, and rethrows
   * PowerCut (the fault hook fired): the card is then unpowered until powerOn().
   */
  transmitApdu(apdu: Uint8Array): Uint8Array {
    if (this.mute) return Uint8Array.of(SW_MEMORY_FAILURE >> 8, SW_MEMORY_FAILURE & 0xff);
    if (!this.applet) throw new Error("card is not powered");
    const writes = this.eeprom.writes;
    try {
      const response = this.applet.process(apdu);
      this.trace?.(apdu, response);
      return response;
    } catch (e) {
      if (e instanceof PowerCut) this.applet = null;
      throw e;
    } finally {
      this.lastCommandWrites = this.eeprom.writes - writes;
      if (this.lastCommandWrites > 0) this.persist();
    }
  }

  /** The ISO 7816-3 T=1 card side wrapping this card's APDU handler (parameters from CardOptions.t1). */
  t1(): CardT1 {
    return this.t1Side;
  }
}
