/** Made-up names and subjects for the demo term: nobody real. */
export const GIVEN_NAMES = ['Anong', 'Somchai', 'Malee', 'Niran', 'Pim', 'Kanya', 'Arthit', 'Chai', 'Dara', 'Ploy', 'Nok', 'Sakda', 'Wan', 'Lek', 'Mali', 'Ton', 'Fah', 'Beam', 'Mint', 'Ice'];
export const FAMILY_NAMES = ['Srisuk', 'Boonmee', 'Chaiyaporn', 'Kittisak', 'Rattanakorn', 'Wongsa', 'Saetang', 'Jaidee', 'Thongdee', 'Phromma'];
export const SCHOOL_NAMES = ['Riverside School', 'Hillcrest Academy', 'Lotus Valley School', 'Northgate College', 'Seaside High'];
export const SUBJECTS = [
  { subject: 'Mathematics', code: 'MATH', skills: ['fractions', 'geometry', 'algebra', 'statistics'] },
  { subject: 'Science', code: 'SCI', skills: ['cells', 'forces', 'energy', 'ecosystems'] },
  { subject: 'English', code: 'ENG', skills: ['reading', 'grammar', 'vocabulary', 'writing'] },
  { subject: 'Thai', code: 'THA', skills: ['reading', 'grammar', 'literature', 'writing'] },
  { subject: 'History', code: 'HIS', skills: ['chronology', 'sources', 'geography', 'civics'] },
  { subject: 'Computing', code: 'COM', skills: ['algorithms', 'data', 'networks', 'logic'] },
  { subject: 'Art', code: 'ART', skills: ['drawing', 'colour', 'history', 'design'] },
  { subject: 'Music', code: 'MUS', skills: ['rhythm', 'pitch', 'notation', 'listening'] },
  { subject: 'Physical Education', code: 'PE', skills: ['fitness', 'teamwork', 'rules', 'health'] },
  { subject: 'Geography', code: 'GEO', skills: ['maps', 'climate', 'population', 'resources'] },
];
export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'LearnstreamApp/2.3 (Android 14; Pixel 7)',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
];
