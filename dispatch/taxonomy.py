"""The Bahasa Indonesia vocabularies of dispatch: categories, dispositions, call-back outcomes."""

from __future__ import annotations

CATEGORIES: dict[str, str] = {
    "kecelakaan_lalu_lintas": "Kecelakaan lalu lintas",
    "pencurian": "Pencurian",
    "penganiayaan": "Penganiayaan",
    "kdrt": "Kekerasan dalam rumah tangga (KDRT)",
    "kerusuhan": "Kerusuhan",
    "bencana": "Bencana",
    "kebakaran": "Kebakaran",
    "ancaman": "Ancaman",
    "penghinaan": "Penghinaan",
    "orang_hilang": "Orang hilang",
    "narkoba": "Narkoba",
    "informasi": "Informasi",
    "lainnya": "Lainnya",
}

PRIORITIES: dict[int, str] = {1: "Darurat", 2: "Segera", 3: "Biasa"}

CHANNELS: dict[str, str] = {
    "telepon": "Telepon",
    "sms": "SMS",
    "email": "Email",
    "media_sosial": "Media sosial",
}

VALIDITY_LABELS: dict[str, str] = {
    "pending": "Belum divalidasi",
    "valid": "Valid",
    "invalid": "Tidak valid",
    "prank": "Laporan palsu / iseng",
    "duplicate": "Duplikat",
}

DISPOSITIONS: dict[str, str] = {
    "selesai_di_tempat": "Selesai di tempat",
    "diamankan": "Pelaku diamankan",
    "dirujuk": "Dirujuk ke instansi lain",
    "laporan_polisi": "Dibuat laporan polisi",
    "tidak_ditemukan": "Tidak ditemukan di lokasi",
    "dibatalkan_pelapor": "Dibatalkan pelapor",
    "tidak_valid": "Tidak valid",
    "iseng": "Laporan palsu / iseng",
    "duplikat": "Duplikat laporan lain",
}

CALLBACK_OUTCOMES: dict[str, str] = {
    "tersambung": "Pelapor dihubungi kembali",
    "tidak_diangkat": "Tidak diangkat",
    "nomor_tidak_aktif": "Nomor tidak aktif",
    "tidak_perlu": "Tidak perlu dihubungi",
}
