/**
 * Run before every test file (vitest `setupFiles`): after the file, the temp folders its
 * helpers made are removed (scratch-dirs.ts).
 */
import { afterAll } from "vitest";
import { removeScratchDirs } from "./scratch-dirs.js";

afterAll(removeScratchDirs);
