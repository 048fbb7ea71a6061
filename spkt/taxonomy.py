"""The Bahasa Indonesia vocabularies of the SPKT desk."""

from __future__ import annotations

REPORT_KIND_LABELS: dict[str, str] = {
    "pidana": "Laporan tindak pidana",
    "kehilangan": "Laporan kehilangan",
    "pengaduan": "Pengaduan",
}
STATUS_LABELS: dict[str, str] = {
    "diterima": "Diterima di SPKT",
    "konsultasi": "Konsultasi dengan Sat Reskrim (gelar awal)",
    "dinilai": "Sudah dinilai Sat Reskrim",
    "lp_terbit": "Laporan Polisi diterbitkan",
    "ditutup": "Ditutup",
    "selesai": "Selesai",
}
LOST_ITEMS: dict[str, str] = {
    "ktp": "KTP",
    "kk": "Kartu Keluarga",
    "sim": "SIM",
    "stnk": "STNK",
    "bpkb": "BPKB",
    "paspor": "Paspor",
    "kartu_atm": "Kartu ATM",
    "buku_tabungan": "Buku tabungan",
    "ponsel": "Telepon seluler",
    "ijazah": "Ijazah",
    "dompet": "Dompet",
    "lainnya": "Lainnya",
}
RECOMMENDATIONS: dict[str, str] = {
    "terbitkan_lp": "Terbitkan Laporan Polisi",
    "bukan_pidana": "Bukan tindak pidana: tutup dengan penjelasan",
    "limpahkan": "Limpahkan ke satuan/instansi lain",
    "lengkapi": "Lengkapi keterangan/bukti terlebih dahulu",
}
# The investigation stages an SP2HP reports (Perkap 6/2019).
CASE_STAGES: dict[str, str] = {
    "penyelidikan": "Penyelidikan",
    "penyidikan": "Penyidikan",
    "pelimpahan": "Berkas dilimpahkan ke Jaksa Penuntut Umum",
    "p21": "Berkas lengkap (P-21)",
    "sp3": "Penyidikan dihentikan (SP3)",
    "restorative": "Diselesaikan dengan keadilan restoratif",
}
DOCUMENT_TITLES: dict[str, str] = {
    "tanda_terima": "Surat Tanda Penerimaan Laporan",
    "laporan_polisi": "Laporan Polisi",
    "sttlp": "Surat Tanda Terima Laporan Polisi",
    "kehilangan": "Surat Keterangan Tanda Lapor Kehilangan",
    "visum": "Surat Permintaan Visum et Repertum",
}

# How a post is written on a document (the signer's "jabatan").
POSITION_LABELS = {
    "kapolda": "Kapolda",
    "kapolres": "Kapolres",
    "kapolsek": "Kapolsek",
    "ka_spkt": "KA SPKT",
    "ka_siaga_1": "KA SIAGA I SPKT",
    "ka_siaga_2": "KA SIAGA II SPKT",
    "ka_siaga_3": "KA SIAGA III SPKT",
}
