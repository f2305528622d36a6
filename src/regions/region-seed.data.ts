/** One region of the seed; `parent` names the code of the top-level region it belongs to. */
export interface RegionSeed {
  code: string;
  name: string;
  nameEn: string;
  latitude: number;
  longitude: number;
  parent?: string;
}

/** Korea's 17 top-level regions (시/도), centred on their seat of government or middle. */
export const TOP_LEVEL_REGIONS: RegionSeed[] = [
  { code: 'seoul', name: '서울', nameEn: 'Seoul', latitude: 37.5665, longitude: 126.978 },
  { code: 'busan', name: '부산', nameEn: 'Busan', latitude: 35.1796, longitude: 129.0756 },
  { code: 'daegu', name: '대구', nameEn: 'Daegu', latitude: 35.8714, longitude: 128.6014 },
  { code: 'incheon', name: '인천', nameEn: 'Incheon', latitude: 37.4563, longitude: 126.7052 },
  { code: 'gwangju', name: '광주', nameEn: 'Gwangju', latitude: 35.1595, longitude: 126.8526 },
  { code: 'daejeon', name: '대전', nameEn: 'Daejeon', latitude: 36.3504, longitude: 127.3845 },
  { code: 'ulsan', name: '울산', nameEn: 'Ulsan', latitude: 35.5384, longitude: 129.3114 },
  { code: 'sejong', name: '세종', nameEn: 'Sejong', latitude: 36.48, longitude: 127.289 },
  { code: 'gyeonggi', name: '경기', nameEn: 'Gyeonggi', latitude: 37.4138, longitude: 127.5183 },
  { code: 'gangwon', name: '강원', nameEn: 'Gangwon', latitude: 37.8228, longitude: 128.1555 },
  {
    code: 'chungbuk',
    name: '충북',
    nameEn: 'North Chungcheong',
    latitude: 36.8,
    longitude: 127.7,
  },
  {
    code: 'chungnam',
    name: '충남',
    nameEn: 'South Chungcheong',
    latitude: 36.5184,
    longitude: 126.8,
  },
  { code: 'jeonbuk', name: '전북', nameEn: 'Jeonbuk', latitude: 35.7175, longitude: 127.153 },
  { code: 'jeonnam', name: '전남', nameEn: 'South Jeolla', latitude: 34.8679, longitude: 126.991 },
  {
    code: 'gyeongbuk',
    name: '경북',
    nameEn: 'North Gyeongsang',
    latitude: 36.4919,
    longitude: 128.8889,
  },
  {
    code: 'gyeongnam',
    name: '경남',
    nameEn: 'South Gyeongsang',
    latitude: 35.4606,
    longitude: 128.2132,
  },
  { code: 'jeju', name: '제주', nameEn: 'Jeju', latitude: 33.3846, longitude: 126.5535 },
];

/** Major tourist areas under the top-level regions. */
export const TOURIST_AREAS: RegionSeed[] = [
  // 서울
  {
    parent: 'seoul',
    code: 'seoul-jongno',
    name: '종로',
    nameEn: 'Jongno',
    latitude: 37.5735,
    longitude: 126.979,
  },
  {
    parent: 'seoul',
    code: 'seoul-gangnam',
    name: '강남',
    nameEn: 'Gangnam',
    latitude: 37.4979,
    longitude: 127.0276,
  },
  {
    parent: 'seoul',
    code: 'seoul-mapo',
    name: '홍대/마포',
    nameEn: 'Hongdae / Mapo',
    latitude: 37.5563,
    longitude: 126.9236,
  },
  {
    parent: 'seoul',
    code: 'seoul-myeongdong',
    name: '명동/중구',
    nameEn: 'Myeongdong / Jung-gu',
    latitude: 37.5636,
    longitude: 126.9827,
  },
  // 부산
  {
    parent: 'busan',
    code: 'busan-haeundae',
    name: '해운대',
    nameEn: 'Haeundae',
    latitude: 35.1631,
    longitude: 129.1635,
  },
  {
    parent: 'busan',
    code: 'busan-suyeong',
    name: '광안리/수영',
    nameEn: 'Gwangalli / Suyeong',
    latitude: 35.1532,
    longitude: 129.1186,
  },
  {
    parent: 'busan',
    code: 'busan-nampo',
    name: '남포/중구',
    nameEn: 'Nampo / Jung-gu',
    latitude: 35.0979,
    longitude: 129.0304,
  },
  {
    parent: 'busan',
    code: 'busan-gijang',
    name: '기장',
    nameEn: 'Gijang',
    latitude: 35.2445,
    longitude: 129.2222,
  },
  // 인천
  {
    parent: 'incheon',
    code: 'incheon-ganghwa',
    name: '강화',
    nameEn: 'Ganghwa',
    latitude: 37.7469,
    longitude: 126.4878,
  },
  // 경기
  {
    parent: 'gyeonggi',
    code: 'gyeonggi-suwon',
    name: '수원',
    nameEn: 'Suwon',
    latitude: 37.2636,
    longitude: 127.0286,
  },
  {
    parent: 'gyeonggi',
    code: 'gyeonggi-gapyeong',
    name: '가평',
    nameEn: 'Gapyeong',
    latitude: 37.8315,
    longitude: 127.5105,
  },
  {
    parent: 'gyeonggi',
    code: 'gyeonggi-paju',
    name: '파주',
    nameEn: 'Paju',
    latitude: 37.76,
    longitude: 126.78,
  },
  // 강원
  {
    parent: 'gangwon',
    code: 'gangwon-gangneung',
    name: '강릉',
    nameEn: 'Gangneung',
    latitude: 37.7519,
    longitude: 128.8761,
  },
  {
    parent: 'gangwon',
    code: 'gangwon-sokcho',
    name: '속초',
    nameEn: 'Sokcho',
    latitude: 38.207,
    longitude: 128.5918,
  },
  {
    parent: 'gangwon',
    code: 'gangwon-chuncheon',
    name: '춘천',
    nameEn: 'Chuncheon',
    latitude: 37.8813,
    longitude: 127.7298,
  },
  {
    parent: 'gangwon',
    code: 'gangwon-pyeongchang',
    name: '평창',
    nameEn: 'Pyeongchang',
    latitude: 37.3705,
    longitude: 128.3903,
  },
  {
    parent: 'gangwon',
    code: 'gangwon-yangyang',
    name: '양양',
    nameEn: 'Yangyang',
    latitude: 38.0754,
    longitude: 128.619,
  },
  // 충북
  {
    parent: 'chungbuk',
    code: 'chungbuk-danyang',
    name: '단양',
    nameEn: 'Danyang',
    latitude: 36.9846,
    longitude: 128.3655,
  },
  // 충남
  {
    parent: 'chungnam',
    code: 'chungnam-gongju',
    name: '공주',
    nameEn: 'Gongju',
    latitude: 36.4465,
    longitude: 127.119,
  },
  {
    parent: 'chungnam',
    code: 'chungnam-buyeo',
    name: '부여',
    nameEn: 'Buyeo',
    latitude: 36.2756,
    longitude: 126.9098,
  },
  // 전북
  {
    parent: 'jeonbuk',
    code: 'jeonbuk-jeonju',
    name: '전주',
    nameEn: 'Jeonju',
    latitude: 35.8242,
    longitude: 127.148,
  },
  // 전남
  {
    parent: 'jeonnam',
    code: 'jeonnam-yeosu',
    name: '여수',
    nameEn: 'Yeosu',
    latitude: 34.7604,
    longitude: 127.6622,
  },
  {
    parent: 'jeonnam',
    code: 'jeonnam-suncheon',
    name: '순천',
    nameEn: 'Suncheon',
    latitude: 34.9507,
    longitude: 127.4872,
  },
  {
    parent: 'jeonnam',
    code: 'jeonnam-damyang',
    name: '담양',
    nameEn: 'Damyang',
    latitude: 35.3211,
    longitude: 126.9882,
  },
  {
    parent: 'jeonnam',
    code: 'jeonnam-mokpo',
    name: '목포',
    nameEn: 'Mokpo',
    latitude: 34.8118,
    longitude: 126.3922,
  },
  // 경북
  {
    parent: 'gyeongbuk',
    code: 'gyeongbuk-gyeongju',
    name: '경주',
    nameEn: 'Gyeongju',
    latitude: 35.8562,
    longitude: 129.2247,
  },
  {
    parent: 'gyeongbuk',
    code: 'gyeongbuk-andong',
    name: '안동',
    nameEn: 'Andong',
    latitude: 36.5684,
    longitude: 128.7294,
  },
  {
    parent: 'gyeongbuk',
    code: 'gyeongbuk-pohang',
    name: '포항',
    nameEn: 'Pohang',
    latitude: 36.019,
    longitude: 129.3435,
  },
  {
    parent: 'gyeongbuk',
    code: 'gyeongbuk-ulleung',
    name: '울릉도',
    nameEn: 'Ulleungdo',
    latitude: 37.4844,
    longitude: 130.9057,
  },
  // 경남
  {
    parent: 'gyeongnam',
    code: 'gyeongnam-tongyeong',
    name: '통영',
    nameEn: 'Tongyeong',
    latitude: 34.8544,
    longitude: 128.4332,
  },
  {
    parent: 'gyeongnam',
    code: 'gyeongnam-geoje',
    name: '거제',
    nameEn: 'Geoje',
    latitude: 34.8806,
    longitude: 128.6211,
  },
  // 제주
  {
    parent: 'jeju',
    code: 'jeju-city',
    name: '제주시',
    nameEn: 'Jeju City',
    latitude: 33.4996,
    longitude: 126.5312,
  },
  {
    parent: 'jeju',
    code: 'jeju-seogwipo',
    name: '서귀포',
    nameEn: 'Seogwipo',
    latitude: 33.2541,
    longitude: 126.56,
  },
];
