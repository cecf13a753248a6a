using System.Buffers.Binary;
using System.Text;

namespace PruningLab.Runtime;

/// <summary>
/// One symbol-version requirement (an ELF <c>Vernaux</c> entry) of a shared library.
/// </summary>
/// <param name="File">Library the version is needed from (the <c>Verneed</c> file name, e.g. <c>libstdc++.so.6</c>).</param>
/// <param name="Version">Version name, e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Flags">Raw <c>vna_flags</c>; bit 0x2 (VER_FLG_WEAK) makes the loader tolerate a missing version.</param>
/// <param name="Index">The <c>vna_other</c> index that <c>.gnu.version</c> entries use to bind symbols to this version.</param>
/// <param name="IsWeak">Whether VER_FLG_WEAK is set, i.e. the loader will not fail if the version is absent.</param>
/// <param name="SymbolCount">Number of dynamic symbols bound to this version.</param>
/// <param name="RelocationCount">Number of dynamic relocations referring to those symbols; non-zero means the version is really used at run time.</param>
public sealed record VersionNeed(
    string File, string Version, ushort Flags, ushort Index, bool IsWeak, int SymbolCount, int RelocationCount);

/// <summary>
/// Reads and edits the symbol-version requirements of ELF64 little-endian shared libraries.
/// </summary>
/// <remarks>
/// Exists so a native library built against a newer libstdc++ (e.g. TorchSharp's <c>libLibTorchSharp.so</c>,
/// which needs <c>GLIBCXX_3.4.32</c> only for an unreferenced symbol) can be loaded on an older system by
/// marking that one requirement weak. Edits are refused whenever a relocation uses the version, because
/// then the weakened library would fail later, at symbol binding, instead of cleanly at load time.
/// </remarks>
public static class ElfVersionNeeds
{
    /// <summary>VER_FLG_WEAK: a missing weak version is not a load error.</summary>
    public const ushort VerFlagWeak = 0x2;

    const ushort VerFlagBase = 0x1;
    const uint ShtRela = 4, ShtNoBits = 8, ShtRel = 9, ShtDynSym = 11;
    const uint ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;
    const int EhdrSize = 64, ShdrSize = 64, VerneedSize = 16, VernauxSize = 16, VerdefSize = 20, VerdauxSize = 8;

    /// <summary>Lists every version requirement in <paramref name="elf"/>, in file order.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed ELF64 little-endian file.</exception>
    public static IReadOnlyList<VersionNeed> Read(byte[] elf) =>
        ReadEntries(new Elf(elf)).Select(e => e.Need).ToList();

    /// <summary>Lists every version requirement of the ELF file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed ELF64 little-endian file.</exception>
    public static IReadOnlyList<VersionNeed> Read(string path) => Read(File.ReadAllBytes(path));

    /// <summary>
    /// The version names <paramref name="elf"/> defines (<c>.gnu.version_d</c>), e.g. to ask the system
    /// libstdc++ whether it provides <c>GLIBCXX_3.4.32</c>. The base entry (the soname itself) is excluded.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed ELF64 little-endian file.</exception>
    public static IReadOnlySet<string> ReadDefinedVersions(byte[] elf)
    {
        var f = new Elf(elf);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sec in f.Sections.Where(s => s.Type == ShtGnuVerdef))
        {
            var data = f.Data(sec);
            var strtab = f.LinkedSection(sec, "string table");
            int at = 0;
            while (true)
            {
                var d = Slice(data, at, VerdefSize, sec, "Verdef");
                ushort version = U16(d, 0), flags = U16(d, 2);
                uint aux = U32(d, 12), next = U32(d, 16);
                if (version != 1)
                    throw Bad($"{f.Describe(sec)}: Verdef at +0x{at:x} has unsupported vd_version {version} (expected 1)");
                // Only the first Verdaux names the definition; later ones name its parents.
                if ((flags & VerFlagBase) == 0 && U16(d, 6) > 0)
                {
                    var a = Slice(data, Offset(at, aux, sec, "vd_aux"), VerdauxSize, sec, "Verdaux");
                    names.Add(f.String(strtab, U32(a, 0)));
                }
                if (next == 0) break;
                at = Offset(at, next, sec, "vd_next");
            }
        }
        return names;
    }

    /// <summary>The version names defined by the ELF file at <paramref name="path"/>; see <see cref="ReadDefinedVersions(byte[])"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed ELF64 little-endian file.</exception>
    public static IReadOnlySet<string> ReadDefinedVersions(string path) => ReadDefinedVersions(File.ReadAllBytes(path));

    /// <summary>
    /// Sets VER_FLG_WEAK on the requirement of <paramref name="version"/> from <paramref name="file"/>, in place.
    /// Only the two <c>vna_flags</c> bytes can change.
    /// </summary>
    /// <returns><c>true</c> if the bytes changed; <c>false</c> if the requirement was already weak.</returns>
    /// <exception cref="InvalidOperationException">
    /// The requirement does not exist, or a relocation refers to a symbol of that version (weakening would
    /// only move the failure from load time to symbol binding).
    /// </exception>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed ELF64 little-endian file.</exception>
    public static bool Weaken(byte[] elf, string file, string version)
    {
        var matches = ReadEntries(new Elf(elf))
            .Where(e => e.Need.File == file && e.Need.Version == version).ToList();
        if (matches.Count == 0)
            throw new InvalidOperationException($"The ELF file has no version need '{version}' from '{file}'.");
        foreach (var m in matches.Where(m => m.Need.RelocationCount > 0))
            throw new InvalidOperationException(
                $"Refusing to weaken version need '{version}' from '{file}': {m.Need.RelocationCount} relocation(s) " +
                $"refer to its {m.Need.SymbolCount} symbol(s), so the library really uses it and would fail at symbol binding.");
        bool changed = false;
        foreach (var m in matches.Where(m => !m.Need.IsWeak))
        {
            BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(m.FlagsOffset, 2), (ushort)(m.Need.Flags | VerFlagWeak));
            changed = true;
        }
        return changed;
    }

    /// <summary>
    /// <see cref="Weaken"/> applied to the file at <paramref name="path"/>. The file is rewritten only when a
    /// change is needed, via a temporary file in the same directory and an atomic rename, keeping its unix mode,
    /// so a crash never leaves a half-written library. Symlinks are followed and the target is replaced.
    /// </summary>
    /// <returns><c>true</c> if the file was rewritten; <c>false</c> if it was already weak (file untouched).</returns>
    /// <exception cref="InvalidOperationException">As for <see cref="Weaken"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed ELF64 little-endian file.</exception>
    public static bool WeakenFile(string path, string file, string version)
    {
        var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        var bytes = File.ReadAllBytes(target);
        if (!Weaken(bytes, file, version)) return false;

        // Replaced atomically, keeping the file's permissions: a process loading it sees the old or the new file.
        AtomicFile.Write(target, stream => stream.Write(bytes), OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(target));
        return true;
    }

    readonly record struct Entry(VersionNeed Need, int FlagsOffset);

    static List<Entry> ReadEntries(Elf f)
    {
        // Symbol versions: one ushort per .dynsym entry; its sh_link names .dynsym, whose index relocations link to.
        var versym = f.Sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        ReadOnlySpan<byte> versyms = versym is null ? default : f.Data(versym);
        int dynsymIndex = versym is { Link: not 0 } ? (int)f.LinkedSection(versym, "dynamic symbol table").Index
            : (int?)f.Sections.FirstOrDefault(s => s.Type == ShtDynSym)?.Index ?? -1;
        int symCount = versyms.Length / 2;

        // Per version index: symbols bound to it and relocations referring to those symbols.
        var symsPerIndex = new Dictionary<int, int>();
        var relocsPerIndex = new Dictionary<int, int>();
        for (int i = 1; i < symCount; i++)
            Bump(symsPerIndex, U16(versyms, 2 * i) & 0x7fff);
        foreach (var sec in f.Sections.Where(s => (s.Type is ShtRela or ShtRel) && s.Link == dynsymIndex && dynsymIndex > 0))
        {
            int size = sec.Type == ShtRela ? 24 : 16;
            if (sec.EntSize != 0 && sec.EntSize != (ulong)size)
                throw Bad($"{f.Describe(sec)}: sh_entsize {sec.EntSize} but ELF64 {(sec.Type == ShtRela ? "Rela" : "Rel")} entries are {size} bytes");
            var data = f.Data(sec);
            if (data.Length % size != 0)
                throw Bad($"{f.Describe(sec)}: size {data.Length} is not a multiple of the {size}-byte entry size");
            for (int at = 0; at < data.Length; at += size)
            {
                ulong sym = BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(at + 8, 8)) >> 32;
                if (sym == 0) continue;
                if (sym >= (ulong)symCount)
                    throw Bad($"{f.Describe(sec)}: relocation at +0x{at:x} refers to symbol {sym}, but .gnu.version covers only {symCount} symbols");
                Bump(relocsPerIndex, U16(versyms, 2 * (int)sym) & 0x7fff);
            }
        }

        var result = new List<Entry>();
        foreach (var sec in f.Sections.Where(s => s.Type == ShtGnuVerneed))
        {
            var data = f.Data(sec);
            var strtab = f.LinkedSection(sec, "string table");
            int at = 0;
            while (true)
            {
                var n = Slice(data, at, VerneedSize, sec, "Verneed");
                ushort version = U16(n, 0), count = U16(n, 2);
                uint fileName = U32(n, 4), aux = U32(n, 8), next = U32(n, 12);
                if (version != 1)
                    throw Bad($"{f.Describe(sec)}: Verneed at +0x{at:x} has unsupported vn_version {version} (expected 1)");
                string file = f.String(strtab, fileName);
                int a = count == 0 ? at : Offset(at, aux, sec, "vn_aux");
                for (int k = 0; k < count; k++)
                {
                    var x = Slice(data, a, VernauxSize, sec, "Vernaux");
                    ushort flags = U16(x, 4), index = U16(x, 6);
                    uint name = U32(x, 8), auxNext = U32(x, 12);
                    int key = index & 0x7fff;
                    result.Add(new Entry(
                        new VersionNeed(file, f.String(strtab, name), flags, index, (flags & VerFlagWeak) != 0,
                            symsPerIndex.GetValueOrDefault(key), relocsPerIndex.GetValueOrDefault(key)),
                        checked((int)sec.Offset + a + 4)));
                    if (auxNext == 0)
                    {
                        if (k != count - 1)
                            throw Bad($"{f.Describe(sec)}: Verneed for '{file}' declares {count} Vernaux entries but its chain ends after {k + 1}");
                        break;
                    }
                    a = Offset(a, auxNext, sec, "vna_next");
                }
                if (next == 0) break;
                at = Offset(at, next, sec, "vn_next");
            }
        }
        return result;
    }

    static void Bump(Dictionary<int, int> d, int key) => d[key] = d.GetValueOrDefault(key) + 1;

    // Next-pointers are unsigned and relative, so chains only move forward and always terminate.
    static int Offset(int at, uint delta, Section sec, string field) =>
        (ulong)at + delta <= sec.Size
            ? at + (int)delta
            : throw Bad($"section [{sec.Index}]: {field} 0x{delta:x} at +0x{at:x} points past the section end (size 0x{sec.Size:x})");

    static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> data, int at, int size, Section sec, string what) =>
        at >= 0 && at <= data.Length - size
            ? data.Slice(at, size)
            : throw Bad($"section [{sec.Index}]: {what} at +0x{at:x} ({size} bytes) runs past the section end (size 0x{data.Length:x})");

    static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(at, 2));
    static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(at, 4));
    static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(at, 8));
    static InvalidDataException Bad(string message) => new($"Malformed ELF: {message}.");

    sealed record Section(uint Index, uint Name, uint Type, ulong Offset, ulong Size, uint Link, ulong EntSize);

    /// <summary>Validated view of the ELF header and section header table.</summary>
    sealed class Elf
    {
        readonly byte[] _bytes;
        readonly int _shstrndx;
        public IReadOnlyList<Section> Sections { get; }

        public Elf(byte[] bytes)
        {
            ArgumentNullException.ThrowIfNull(bytes);
            _bytes = bytes;
            if (bytes.Length < 4 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
                throw Bad("not an ELF file (bad magic; expected 7f 45 4c 46)");
            if (bytes.Length < EhdrSize)
                throw Bad($"file is {bytes.Length} bytes, shorter than the 64-byte ELF64 header (truncated)");
            if (bytes[4] != 2)
                throw Bad($"ELF class {bytes[4]} is not supported (only ELFCLASS64 = 2; {(bytes[4] == 1 ? "this is a 32-bit ELFCLASS32 file" : "unknown class")})");
            if (bytes[5] != 1)
                throw Bad($"data encoding {bytes[5]} is not supported (only little-endian ELFDATA2LSB = 1{(bytes[5] == 2 ? "; this file is big-endian" : "")})");

            ReadOnlySpan<byte> b = bytes;
            ulong shoff = U64(b, 0x28);
            ushort shentsize = U16(b, 0x3A), shnum = U16(b, 0x3C), shstrndx = U16(b, 0x3E);
            if (shoff == 0)
                throw Bad("the file has no section headers (e_shoff = 0)");
            if (shentsize < ShdrSize)
                throw Bad($"e_shentsize {shentsize} is smaller than the 64-byte ELF64 section header");
            if (shoff > (ulong)bytes.Length - ShdrSize)
                throw Bad($"section header table at 0x{shoff:x} lies outside the {bytes.Length}-byte file (truncated?)");
            // Extended numbering: with 0 or SHN_XINDEX in the header, the real values live in section header 0.
            ulong count = shnum != 0 ? shnum : U64(b, (int)shoff + 0x20);
            uint strndx = shstrndx != 0xffff ? shstrndx : U32(b, (int)shoff + 0x28);
            if (count == 0)
                throw Bad("the file has no section headers (e_shnum = 0)");
            if (count > ((ulong)bytes.Length - shoff) / shentsize)
                throw Bad($"section header table at 0x{shoff:x} with {count} entries of {shentsize} bytes runs past the end of the {bytes.Length}-byte file (truncated?)");

            var sections = new Section[count];
            for (uint i = 0; i < count; i++)
            {
                var h = b.Slice((int)shoff + (int)i * shentsize, ShdrSize);
                sections[i] = new Section(i, U32(h, 0), U32(h, 4), U64(h, 0x18), U64(h, 0x20), U32(h, 0x28), U64(h, 0x38));
            }
            Sections = sections;
            _shstrndx = strndx < count ? (int)strndx : -1;
        }

        /// <summary>The bytes of <paramref name="s"/>, after checking they lie inside the file.</summary>
        public ReadOnlySpan<byte> Data(Section s)
        {
            if (s.Type == ShtNoBits)
                throw Bad($"{Describe(s)} is SHT_NOBITS and has no file contents");
            if (s.Offset > (ulong)_bytes.Length || s.Size > (ulong)_bytes.Length - s.Offset)
                throw Bad($"{Describe(s)} at offset 0x{s.Offset:x} with size 0x{s.Size:x} lies outside the {_bytes.Length}-byte file (truncated?)");
            return _bytes.AsSpan((int)s.Offset, (int)s.Size);
        }

        public Section LinkedSection(Section s, string what) =>
            s.Link != 0 && s.Link < Sections.Count
                ? Sections[(int)s.Link]
                : throw Bad($"{Describe(s)}: sh_link {s.Link} does not name a valid {what} section");

        /// <summary>NUL-terminated string at <paramref name="offset"/> in string table <paramref name="strtab"/>.</summary>
        public string String(Section strtab, uint offset)
        {
            var data = Data(strtab);
            if (offset >= (uint)data.Length)
                throw Bad($"string offset 0x{offset:x} is past the end of {Describe(strtab)} (size 0x{data.Length:x})");
            var rest = data[(int)offset..];
            int end = rest.IndexOf((byte)0);
            if (end < 0)
                throw Bad($"string at 0x{offset:x} in {Describe(strtab)} is not NUL-terminated");
            return Encoding.UTF8.GetString(rest[..end]);
        }

        /// <summary>"section [i] name" for messages; the name is best effort so a broken .shstrtab never hides the real error.</summary>
        public string Describe(Section s)
        {
            if (_shstrndx > 0)
            {
                var t = Sections[_shstrndx];
                if (t.Type != ShtNoBits && t.Offset <= (ulong)_bytes.Length && t.Size <= (ulong)_bytes.Length - t.Offset && s.Name < t.Size)
                {
                    var rest = _bytes.AsSpan((int)t.Offset + (int)s.Name, (int)(t.Size - s.Name));
                    int end = rest.IndexOf((byte)0);
                    if (end > 0) return $"section [{s.Index}] {Encoding.UTF8.GetString(rest[..end])}";
                }
            }
            return $"section [{s.Index}]";
        }
    }
}
