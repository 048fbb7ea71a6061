"""SPKT desk: reports, Laporan Polisi, letters, SP2HP and following every report to its end."""
