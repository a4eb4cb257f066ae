import { describe, expect, it } from 'vitest';
import { defaultJavaPath, parseJavaMajor } from '../src/internal/java.js';

describe('parseJavaMajor', () => {
  it('reads modern and pre-9 version strings', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime Environment')).toBe(17);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('java version "1.8.0_292"')).toBe(8);
    expect(parseJavaMajor('no version here')).toBeUndefined();
  });
});

describe('defaultJavaPath', () => {
  it('prefers JAVA_HOME and falls back to java on the PATH', () => {
    expect(defaultJavaPath({ JAVA_HOME: '/opt/jdk' })).toBe('/opt/jdk/bin/java');
    expect(defaultJavaPath({})).toBe('java');
  });
});
