import type { StoryCategory } from '../stories/story-values';

/**
 * The people and places of the demo data (`npm run seed:demo`). Kakao ids are fixed, so a
 * second run finds everyone again and dev-login signs in as them.
 */

export interface DemoPerson {
  kakaoId: string;
  nickname: string;
  bio: string;
}

export interface DemoGuide extends DemoPerson {
  /** Region code of the seed (`regions/region-seed.data.ts`). */
  region: string;
  introduction: string;
  languages: string[];
  /** Stories of this guide: title, category, tags, first lines. */
  stories: { title: string; category: StoryCategory; tags: string[]; content: string }[];
}

export const DEMO_ADMIN: DemoPerson = {
  kakaoId: '900001',
  nickname: 'demo-admin',
  bio: 'Runs the demo: approves guides, decides reports.',
};

export const DEMO_TRAVELERS: DemoPerson[] = [
  { kakaoId: '900201', nickname: 'mina-travels', bio: 'Weekend trips, food first.' },
  { kakaoId: '900202', nickname: 'jun-backpacker', bio: 'Slow travel, long walks.' },
  { kakaoId: '900203', nickname: 'sora-photos', bio: 'Chasing light with a small camera.' },
];

export const DEMO_GUIDES: DemoGuide[] = [
  {
    kakaoId: '900101',
    nickname: 'jeju-haenyeo',
    bio: 'Born in Seogwipo.',
    region: 'jeju-seogwipo',
    introduction: 'Born in Seogwipo, I walk the Olle trails and know every tangerine farm.',
    languages: ['ko', 'en'],
    stories: [
      {
        title: 'Sunrise at Seongsan Ilchulbong',
        category: 'nature',
        tags: ['jeju', 'sunrise'],
        content: 'We climb before dawn and watch the sun rise over the sea.',
      },
      {
        title: 'Olle trail 7 along the cliffs',
        category: 'nature',
        tags: ['olle', 'sea'],
        content: 'A gentle coastal walk past Oedolgae rock to the Gangjeong harbour.',
      },
      {
        title: 'Tangerine picking in December',
        category: 'food',
        tags: ['tangerine', 'farm'],
        content: 'Pick your own in a family orchard, then tea in the greenhouse.',
      },
      {
        title: 'Haenyeo divers of Beophwan',
        category: 'culture',
        tags: ['haenyeo', 'sea'],
        content: 'Meet the women divers and taste what they brought up this morning.',
      },
      {
        title: 'Jeongbang waterfall at noon',
        category: 'nature',
        tags: ['waterfall'],
        content: 'The only waterfall in Asia that falls straight into the sea.',
      },
    ],
  },
  {
    kakaoId: '900102',
    nickname: 'busan-wave',
    bio: 'Surfer, cook, harbour kid.',
    region: 'busan-haeundae',
    introduction: 'I grew up by Haeundae beach and cook in my family restaurant.',
    languages: ['ko', 'en', 'ja'],
    stories: [
      {
        title: 'Haeundae at first light',
        category: 'nature',
        tags: ['beach', 'busan'],
        content: 'An early walk on the sand before the city wakes up.',
      },
      {
        title: 'Jagalchi market breakfast',
        category: 'food',
        tags: ['market', 'seafood'],
        content: 'Grilled fish and hot soup with the fishmongers at six.',
      },
      {
        title: 'Gamcheon culture village',
        category: 'culture',
        tags: ['village', 'art'],
        content: 'Painted houses on the hillside and the little prince looking at the port.',
      },
      {
        title: 'Surfing lesson at Songjeong',
        category: 'activity',
        tags: ['surf'],
        content: 'Two hours on the board, wetsuit included, no experience needed.',
      },
      {
        title: 'Gwangalli bridge by night',
        category: 'nightlife',
        tags: ['night', 'bridge'],
        content: 'The lights of Gwangan bridge from a rooftop café.',
      },
    ],
  },
  {
    kakaoId: '900103',
    nickname: 'seoul-alleys',
    bio: 'Historian of small streets.',
    region: 'seoul-jongno',
    introduction: 'I studied history and walk the alleys between the palaces every day.',
    languages: ['ko', 'en', 'zh'],
    stories: [
      {
        title: 'Gyeongbokgung before the crowds',
        category: 'history',
        tags: ['palace', 'seoul'],
        content: 'The changing of the guard and the quiet back courtyards.',
      },
      {
        title: 'Bukchon hanok morning',
        category: 'culture',
        tags: ['hanok'],
        content: 'Tiled roofs, stone walls and a tea house that opens at nine.',
      },
      {
        title: 'Gwangjang market tasting',
        category: 'food',
        tags: ['market', 'bindaetteok'],
        content: 'Mung bean pancakes, knife noodles and makgeolli.',
      },
      {
        title: 'Ikseon-dong by lantern light',
        category: 'nightlife',
        tags: ['night', 'alley'],
        content: 'Tiny bars in old hanok houses.',
      },
      {
        title: 'Jongmyo shrine rites',
        category: 'history',
        tags: ['shrine', 'unesco'],
        content: 'The royal ancestral shrine and its music.',
      },
    ],
  },
  {
    kakaoId: '900104',
    nickname: 'gangneung-coffee',
    bio: 'Roaster by the sea.',
    region: 'gangwon-gangneung',
    introduction: 'I roast coffee on Anmok beach and hike the Baekdudaegan on weekends.',
    languages: ['ko', 'en'],
    stories: [
      {
        title: 'Coffee street at Anmok',
        category: 'food',
        tags: ['coffee', 'beach'],
        content: 'Hand drip by the waves, three roasteries in one walk.',
      },
      {
        title: 'Gyeongpo lake cycling',
        category: 'activity',
        tags: ['bike', 'lake'],
        content: 'A flat loop around the lake, cherry trees in April.',
      },
      {
        title: 'Ojukheon house of the black bamboo',
        category: 'history',
        tags: ['history', 'bamboo'],
        content: 'The birthplace of Yulgok and his mother Shin Saimdang.',
      },
      {
        title: 'Jeongdongjin sunrise train',
        category: 'nature',
        tags: ['sunrise', 'train'],
        content: 'The station closest to the sea in Korea.',
      },
      {
        title: 'Chodang sundubu lunch',
        category: 'food',
        tags: ['tofu'],
        content: 'Soft tofu made with sea water, as it has been for centuries.',
      },
    ],
  },
  {
    kakaoId: '900105',
    nickname: 'jeonju-bibim',
    bio: 'Cook and calligrapher.',
    region: 'jeonbuk-jeonju',
    introduction: 'Jeonju born, I teach cooking and show guests the hanok village.',
    languages: ['ko', 'en'],
    stories: [
      {
        title: 'Bibimbap the Jeonju way',
        category: 'food',
        tags: ['bibimbap'],
        content: 'Thirty toppings, brass bowls, and why the rice is cooked in beef broth.',
      },
      {
        title: 'Hanok village rooftops',
        category: 'culture',
        tags: ['hanok', 'jeonju'],
        content: 'Seven hundred houses seen from Omokdae hill.',
      },
      {
        title: 'Nambu night market',
        category: 'nightlife',
        tags: ['market', 'night'],
        content: 'Street food under the lights every Friday and Saturday.',
      },
      {
        title: 'Hanji paper workshop',
        category: 'culture',
        tags: ['craft', 'paper'],
        content: 'Make your own sheet of mulberry paper.',
      },
      {
        title: 'Makgeolli alley',
        category: 'food',
        tags: ['makgeolli'],
        content: 'Order a kettle and the side dishes keep coming.',
      },
    ],
  },
  {
    kakaoId: '900106',
    nickname: 'gyeongju-silla',
    bio: 'Archaeologist on weekdays.',
    region: 'gyeongbuk-gyeongju',
    introduction: 'I dig Silla sites for a living and tell their stories on weekends.',
    languages: ['ko', 'en', 'fr'],
    stories: [
      {
        title: 'Bulguksa temple in autumn',
        category: 'history',
        tags: ['temple', 'unesco'],
        content: 'Red maples over the stone bridges of the Pure Land.',
      },
      {
        title: 'Daereungwon tomb park',
        category: 'history',
        tags: ['silla', 'tombs'],
        content: 'Walk between the grass hills of the Silla kings.',
      },
      {
        title: 'Donggung palace at dusk',
        category: 'nature',
        tags: ['pond', 'night'],
        content: 'The pavilions lit up and mirrored in Wolji pond.',
      },
      {
        title: 'Hwangnidan-gil cafés',
        category: 'food',
        tags: ['cafe', 'bread'],
        content: 'Gyeongju bread and coffee in renovated hanok.',
      },
      {
        title: 'Cycling the Silla capital',
        category: 'activity',
        tags: ['bike', 'history'],
        content: 'Cheomseongdae, Gyerim forest and the royal tombs in one morning.',
      },
    ],
  },
];

/** Stories a default run makes (about ten per guide). */
export const DEFAULT_DEMO_STORIES = 60;

/** Lines of the chat between the first traveller and the first guide (alternating). */
export const DEMO_CHAT = [
  'Hello! Is the sunrise walk still possible on that date?',
  'Yes, it is. We meet at the ticket office at 5:30.',
  'Great. Do I need to bring anything?',
  'A warm jacket and a headlamp, the path is dark at first.',
  'Perfect, see you there!',
  'See you! Message me here if anything changes.',
];
