using System.Buffers.Binary;
using System.Text;

namespace PruningLab.Tests.Runtime;

/// <summary>
/// Writes a minimal ELF64 little-endian file with just the sections the version-need code reads, and records
/// where things landed so tests can check edits byte by byte without trusting the parser under test.
/// </summary>
internal sealed class TinyElf
{
    public sealed record Aux(string Version, ushort Index, ushort Flags = 0);
    public sealed record Need(string File, params Aux[] Versions);
    public sealed record Sym(string Name, ushort Version);

    public List<Need> Needs { get; } = [];
    /// <summary>Dynamic symbols after the mandatory null symbol 0 (so the first one here is index 1).</summary>
    public List<Sym> Symbols { get; } = [];
    /// <summary>Symbol indices referenced by .rela.dyn entries; no section when empty.</summary>
    public List<int> RelaSymbols { get; } = [];
    /// <summary>Symbol indices referenced by .rel.dyn (SHT_REL) entries; no section when empty.</summary>
    public List<int> RelSymbols { get; } = [];
    /// <summary>Version names for .gnu.version_d (after the base entry named <see cref="Soname"/>); no section when null.</summary>
    public List<string>? Defines { get; set; }
    public string Soname { get; set; } = "libtiny.so.1";

    // Filled in by Build().
    public Dictionary<(string File, string Version), int> FlagOffsets { get; } = [];
    public Dictionary<string, (int HeaderOffset, int Offset, int Size)> SectionLayout { get; } = [];

    /// <summary>The usual scenario: libstdc++ needed at GLIBCXX_3.4 and 3.4.32, libc at GLIBC_2.34.</summary>
    public static TinyElf Typical()
    {
        var e = new TinyElf();
        e.Needs.Add(new Need("libstdc++.so.6", new Aux("GLIBCXX_3.4", 2), new Aux("GLIBCXX_3.4.32", 3)));
        e.Needs.Add(new Need("libc.so.6", new Aux("GLIBC_2.34", 4)));
        e.Symbols.Add(new Sym("_ZSt21ios_base_library_initv", 3));   // 1: bound to GLIBCXX_3.4.32, never relocated
        e.Symbols.Add(new Sym("_ZNSt8ios_base4InitC1Ev", 2));        // 2: GLIBCXX_3.4
        e.Symbols.Add(new Sym("_ZdlPv", 2));                         // 3: GLIBCXX_3.4
        e.Symbols.Add(new Sym("__libc_start_main", 4 | 0x8000));     // 4: GLIBC_2.34, hidden bit set
        e.Symbols.Add(new Sym("exported", 1));                       // 5: global, unversioned
        e.RelaSymbols.AddRange([2, 2, 3, 4, 0]);                     // symbol 0 = no symbol
        return e;
    }

    public byte[] Build()
    {
        FlagOffsets.Clear();
        SectionLayout.Clear();
        var dynstr = new StrTab();
        var shstr = new StrTab();

        var dynsym = new List<byte>(new byte[24]);
        foreach (var s in Symbols)
        {
            var sym = new byte[24];
            W32(sym, 0, dynstr.Add(s.Name));
            sym[4] = 0x12; // STB_GLOBAL | STT_FUNC, undefined
            dynsym.AddRange(sym);
        }
        var versym = new List<byte>(new byte[2]);
        foreach (var s in Symbols) { var v = new byte[2]; W16(v, 0, s.Version); versym.AddRange(v); }

        // Verneed chain: each Verneed is followed by its Vernaux entries.
        var verneed = new List<byte>();
        var flagPositions = new List<(string, string, int)>();
        for (int n = 0; n < Needs.Count; n++)
        {
            var need = Needs[n];
            var vn = new byte[16];
            W16(vn, 0, 1);
            W16(vn, 2, (ushort)need.Versions.Length);
            W32(vn, 4, dynstr.Add(need.File));
            W32(vn, 8, 16);
            W32(vn, 12, n == Needs.Count - 1 ? 0u : (uint)(16 + 16 * need.Versions.Length));
            verneed.AddRange(vn);
            for (int k = 0; k < need.Versions.Length; k++)
            {
                var a = need.Versions[k];
                var vna = new byte[16];
                W32(vna, 0, ElfHash(a.Version));
                W16(vna, 4, a.Flags);
                W16(vna, 6, a.Index);
                W32(vna, 8, dynstr.Add(a.Version));
                W32(vna, 12, k == need.Versions.Length - 1 ? 0u : 16u);
                flagPositions.Add((need.File, a.Version, verneed.Count + 4));
                verneed.AddRange(vna);
            }
        }

        List<byte>? verdef = null;
        if (Defines is not null)
        {
            verdef = [];
            var names = new List<string> { Soname };
            names.AddRange(Defines);
            for (int i = 0; i < names.Count; i++)
            {
                var vd = new byte[20];
                W16(vd, 0, 1);
                W16(vd, 2, (ushort)(i == 0 ? 1 : 0)); // VER_FLG_BASE on the soname entry
                W16(vd, 4, (ushort)(i + 1));
                W16(vd, 6, (ushort)(i == 0 ? 1 : 2)); // non-base entries also name a parent
                W32(vd, 8, ElfHash(names[i]));
                W32(vd, 12, 20);
                int auxBytes = i == 0 ? 8 : 16;
                W32(vd, 16, i == names.Count - 1 ? 0u : (uint)(20 + auxBytes));
                verdef.AddRange(vd);
                var vda = new byte[8];
                W32(vda, 0, dynstr.Add(names[i]));
                W32(vda, 4, i == 0 ? 0u : 8u);
                verdef.AddRange(vda);
                if (i > 0)
                {
                    var parent = new byte[8];
                    W32(parent, 0, dynstr.Add(names[i - 1]));
                    verdef.AddRange(parent);
                }
            }
        }

        static List<byte> Relocs(List<int> syms, int size)
        {
            var r = new List<byte>();
            foreach (var s in syms)
            {
                var e = new byte[size];
                W64(e, 0, 0x1000);
                W64(e, 8, ((ulong)s << 32) | 6); // R_X86_64_GLOB_DAT
                r.AddRange(e);
            }
            return r;
        }

        // Sections: (name, type, link, info, entsize, data). Indices are fixed up below.
        var secs = new List<(string Name, uint Type, string? Link, uint Info, ulong EntSize, List<byte> Data)>
        {
            ("", 0, null, 0, 0, []),
            (".dynstr", 3, null, 0, 0, []), // filled after all strings are added
            (".dynsym", 11, ".dynstr", 1, 24, dynsym),
            (".gnu.version", 0x6fffffff, ".dynsym", 0, 2, versym),
            (".gnu.version_r", 0x6ffffffe, ".dynstr", (uint)Needs.Count, 0, verneed),
        };
        if (verdef is not null) secs.Add((".gnu.version_d", 0x6ffffffd, ".dynstr", (uint)(Defines!.Count + 1), 0, verdef));
        if (RelaSymbols.Count > 0) secs.Add((".rela.dyn", 4, ".dynsym", 0, 24, Relocs(RelaSymbols, 24)));
        if (RelSymbols.Count > 0) secs.Add((".rel.dyn", 9, ".dynsym", 0, 16, Relocs(RelSymbols, 16)));
        secs.Add((".shstrtab", 3, null, 0, 0, []));
        secs[1] = secs[1] with { Data = [.. dynstr.Bytes] };
        var nameOffsets = secs.Select(s => shstr.Add(s.Name)).ToList();
        secs[^1] = secs[^1] with { Data = [.. shstr.Bytes] };

        var file = new List<byte>(new byte[64]);
        var offsets = new int[secs.Count];
        for (int i = 1; i < secs.Count; i++)
        {
            while (file.Count % 8 != 0) file.Add(0);
            offsets[i] = file.Count;
            file.AddRange(secs[i].Data);
        }
        while (file.Count % 8 != 0) file.Add(0);
        int shoff = file.Count;
        for (int i = 0; i < secs.Count; i++)
        {
            var s = secs[i];
            var h = new byte[64];
            W32(h, 0, nameOffsets[i]);
            W32(h, 4, s.Type);
            W64(h, 0x18, (ulong)offsets[i]);
            W64(h, 0x20, (ulong)s.Data.Count);
            W32(h, 0x28, s.Link is null ? 0u : (uint)secs.FindIndex(x => x.Name == s.Link));
            W32(h, 0x2C, s.Info);
            W64(h, 0x30, i == 0 ? 0ul : 8ul);
            W64(h, 0x38, s.EntSize);
            SectionLayout[s.Name] = (shoff + 64 * i, offsets[i], s.Data.Count);
            file.AddRange(h);
        }

        var bytes = file.ToArray();
        bytes[0] = 0x7f; bytes[1] = (byte)'E'; bytes[2] = (byte)'L'; bytes[3] = (byte)'F';
        bytes[4] = 2; // ELFCLASS64
        bytes[5] = 1; // ELFDATA2LSB
        bytes[6] = 1; // EV_CURRENT
        W16(bytes, 0x10, 3);     // ET_DYN
        W16(bytes, 0x12, 62);    // EM_X86_64
        W32(bytes, 0x14, 1);
        W64(bytes, 0x28, (ulong)shoff);
        W16(bytes, 0x34, 64);    // e_ehsize
        W16(bytes, 0x3A, 64);    // e_shentsize
        W16(bytes, 0x3C, (ushort)secs.Count);
        W16(bytes, 0x3E, (ushort)(secs.Count - 1));

        int verneedAt = offsets[secs.FindIndex(s => s.Name == ".gnu.version_r")];
        foreach (var (f, v, pos) in flagPositions) FlagOffsets[(f, v)] = verneedAt + pos;
        return bytes;
    }

    sealed class StrTab
    {
        readonly List<byte> _bytes = [0];
        readonly Dictionary<string, uint> _seen = new() { [""] = 0 };
        public IReadOnlyList<byte> Bytes => _bytes;
        public uint Add(string s)
        {
            if (_seen.TryGetValue(s, out var at)) return at;
            at = (uint)_bytes.Count;
            _bytes.AddRange(Encoding.UTF8.GetBytes(s));
            _bytes.Add(0);
            return _seen[s] = at;
        }
    }

    static uint ElfHash(string name)
    {
        uint h = 0;
        foreach (byte c in Encoding.ASCII.GetBytes(name))
        {
            h = (h << 4) + c;
            uint g = h & 0xf0000000;
            if (g != 0) h ^= g >> 24;
            h &= ~g;
        }
        return h;
    }

    static void W16(byte[] b, int at, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), v);
    static void W32(byte[] b, int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
    static void W64(byte[] b, int at, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at), v);
}
